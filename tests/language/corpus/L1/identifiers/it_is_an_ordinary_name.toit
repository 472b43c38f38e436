// Checks that `it` can be declared as an ordinary local.
main:
  it := 3
  print it * 2

// expect: 6
