// Removing leaves tombstones that lookups skip; keys can come back.
main:
  m := {:}
  for i := 0; i < 2000; i++: m[i] = i
  for i := 0; i < 2000; i += 2: m.remove i
  print m.size
  print (m.contains 10)
  print m[11]
  for i := 0; i < 2000; i++: m[i] = -i
  print m.size
  print m[10]
  print m.keys[..3]

// expect: 1000
// expect: false
// expect: 11
// expect: 2000
// expect: -10
// expect: [1, 3, 5]
