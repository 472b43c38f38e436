// Checks a map with int and string keys; 1 and "1" are different keys.
main:
  m := {:}
  m[1] = "int"
  m["1"] = "string"
  print m.size
  print m[1]
  print m["1"]

// expect: 2
// expect: int
// expect: string
