// Checks that a local may shadow a top-level function.
helper: return "function"
main:
  helper := "local"
  print helper

// expect: local
