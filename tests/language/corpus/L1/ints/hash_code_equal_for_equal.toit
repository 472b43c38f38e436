// Checks that equal ints have equal hash codes.
main:
  a := 1000
  b := 999 + 1
  print a.hash-code == b.hash-code

// expect: true
