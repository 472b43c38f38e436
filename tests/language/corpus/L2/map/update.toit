// Checks update, update --if-absent and update --init.
main:
  m := {"a": 1}
  m.update "a": it + 1
  m.update "b" --if-absent=10: it + 1
  m.update "c" --init=10: it + 1
  print m
  m.update "b" --if-absent=10: it + 1
  print m["b"]

// expect: {a: 2, b: 10, c: 11}
// expect: 11
