// Checks map literals, lookup, insertion and stringify in insertion order.
main:
  m := {"ann": 31, "bob": 25}
  m["cy"] = 40
  m["ann"] = 32
  print m
  print m["bob"]
  print m.size

// expect: {ann: 32, bob: 25, cy: 40}
// expect: 25
// expect: 3
