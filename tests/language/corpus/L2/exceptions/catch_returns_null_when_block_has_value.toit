// Checks that catch of a block that completes with a value still returns null.
main:
  print (catch: 42)
  print (catch: "x")

// expect: null
// expect: null
