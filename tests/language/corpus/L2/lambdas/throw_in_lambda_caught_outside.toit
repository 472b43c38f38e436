// Checks that an exception thrown in a lambda propagates to the caller of call.
main:
  f := :: throw "FROM_LAMBDA"
  print (catch: f.call)

// expect: FROM_LAMBDA
