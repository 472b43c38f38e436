class P:
  x := 1
  bump: this.x = this.x + 1

main:
  p := P
  p.bump
  print p.x

// expect: 2
