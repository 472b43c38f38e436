// The upstream format: a header line, the value, then frames innermost first.
helper:
  throw "MY_ERROR"

main:
  helper

// expect runtime error: EXCEPTION error. 
