counter := 0
LIMIT ::= 3

bump: counter++

main:
  LIMIT.repeat: bump
  print counter
  print LIMIT

// expect: 3
// expect: 3
