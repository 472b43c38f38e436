// Checks Map.map (same keys) and Map.filter.
main:
  m := {"a": 1, "b": 2, "c": 3}
  print (m.map: | k v | v * 10)
  print (m.filter: | k v | v != 2)

// expect: {a: 10, b: 20, c: 30}
// expect: {a: 1, c: 3}
