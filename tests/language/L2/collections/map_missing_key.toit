main:
  m := {"a": 1}
  print (catch: m["x"])

// expect: key 'x' not found
