// Checks that a definition inside a binary operand is a compile error.
main:
  y := 1 + (x := 3)  // expect compile error: Definition of variable not allowed at this location
