// Checks that an exception propagates through several calls to the nearest catch.
c: throw "deep"
b: c
a: b
main:
  print (catch: a)

// expect: deep
