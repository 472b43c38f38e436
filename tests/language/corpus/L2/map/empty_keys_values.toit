// Checks keys and values of an empty map.
main:
  m := {:}
  print m.keys
  print m.values
  print m.is-empty

// expect: []
// expect: []
// expect: true
