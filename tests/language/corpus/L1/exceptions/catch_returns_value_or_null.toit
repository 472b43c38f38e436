// Checks that catch returns the thrown value, or null if nothing was thrown.
main:
  print (catch: 1 + 1)
  print (catch: throw "E")
  print (catch: throw 42)

// expect: null
// expect: E
// expect: 42
