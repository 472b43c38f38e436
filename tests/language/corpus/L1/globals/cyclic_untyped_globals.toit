// Checks that untyped globals whose initializers refer to each other are rejected.
A := B + 1  // expect compile error: Cyclic type dependency
B := A + 1
main:
  print A
