// Checks that a frame for a lambda is named outer.<lambda> in the trace.
main:
  f := :: throw "IN_LAMBDA"
  f.call

// expect runtime error: main.<lambda>
