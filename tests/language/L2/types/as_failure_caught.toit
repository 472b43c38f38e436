main:
  print (catch: "s" as int)

// expect: AS_CHECK_FAILED
