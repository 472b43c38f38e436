// Checks that Map creates an empty map.
main:
  m := Map
  m["k"] = 1
  print m
  print (Map).is-empty

// expect: {k: 1}
// expect: true
