// Checks that replacing a value keeps the key's position, removing and re-adding moves it.
main:
  m := {1: "a", 2: "b", 3: "c"}
  m[1] = "A"
  print m
  m.remove 1
  m[1] = "again"
  print m

// expect: {1: A, 2: b, 3: c}
// expect: {2: b, 3: c, 1: again}
