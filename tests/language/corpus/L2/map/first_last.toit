// Checks that first and last of a map are its first and last keys.
main:
  m := {"x": 1, "y": 2}
  print m.first
  print m.last

// expect: x
// expect: y
