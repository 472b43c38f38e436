// Checks that iteration follows insertion order after removes and inserts.
main:
  m := {:}
  m["c"] = 3
  m["a"] = 1
  m["b"] = 2
  m.remove "a"
  m["d"] = 4
  m.do: | k v | print "$k$v"

// expect: c3
// expect: b2
// expect: d4
