// Checks that a block's value is its last statement's value.
run [b]: return b.call
main:
  print (run: 5)
  v := run:
    x := 2
    x * 3
  print v

// expect: 5
// expect: 6
