main:
  s := "aé"
  print (catch: s[0..2])
  print (catch: s[0..5])

// expect: ILLEGAL_UTF_8
// expect: OUT_OF_BOUNDS
