// Checks that methods apply to the whole attached negative literal.
main:
  print -4.sign
  print (-4).abs
  print -(4.abs)

// expect: -1
// expect: 4
// expect: -4
