// Checks set equality by contents.
main:
  print {1, 2} == {2, 1}
  print {1} == {1, 2}

// expect: true
// expect: false
