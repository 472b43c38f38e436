// Checks get, get --if-absent (gets the key as it) and get --init.
main:
  m := {"a": 1}
  print (m.get "a")
  print (m.get "z")
  print (m.get "z" --if-absent=: "no $it")
  print (m.get "n" --init=: 5)
  print m

// expect: 1
// expect: null
// expect: no z
// expect: 5
// expect: {a: 1, n: 5}
