// Checks that the stack trace names the throwing function and the file position.
helper:
  throw "BOOM"
main:
  helper

// expect runtime error: trace_names_function.toit:3:3
