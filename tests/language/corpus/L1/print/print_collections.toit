// Checks print of lists, sets, maps and byte arrays.
main:
  print [1, "a", null, [2]]
  print []
  print {1, 2}
  print {"a": 1, "b": 2}
  print {:}
  print {}
  print #[1, 2, 255]

// expect: [1, a, null, [2]]
// expect: []
// expect: {1, 2}
// expect: {a: 1, b: 2}
// expect: {:}
// expect: {}
// expect: #[0x01, 0x02, 0xff]
