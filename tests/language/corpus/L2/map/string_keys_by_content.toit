// Checks that string keys are looked up by content.
main:
  m := {:}
  m["ab"] = 1
  k := "a" + "b"
  print m[k]

// expect: 1
