main:
  m := {"a": 1, "b": 2}
  m["c"] = 3
  print m
  print m["b"]
  print (m.get "z")
  print (m.get "z" --if-absent=: -1)
  print (m.contains "a")
  print m.size
  print m.keys
  print m.values
  m.remove "a"
  print m
  print {:}

// expect: {a: 1, b: 2, c: 3}
// expect: 2
// expect: null
// expect: -1
// expect: true
// expect: 3
// expect: [a, b, c]
// expect: [1, 2, 3]
// expect: {b: 2, c: 3}
// expect: {:}
