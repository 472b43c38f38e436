// Checks that an uncaught non-string value is reported with its stringify.
main:
  throw 12345

// expect runtime error: 12345
