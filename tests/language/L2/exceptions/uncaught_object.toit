class Oops:
  stringify: return "oops!"

main:
  throw Oops

// expect runtime error: EXCEPTION error.
