main:
  print "\xff"

// expect: ÿ
