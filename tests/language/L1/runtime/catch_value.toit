main:
  print (catch: 1)
  print (catch: throw "E")
  print (catch: throw 42)

// expect: null
// expect: E
// expect: 42
