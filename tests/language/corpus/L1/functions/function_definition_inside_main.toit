// Checks that a function definition is not allowed inside a body.
main:
  x := 1
  helper y: return y  // expect compile error:
