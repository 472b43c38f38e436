// A longer cycle of untyped globals is rejected too.
X := Y  // expect compile error: Cyclic type dependency
Y := [Z]  // expect compile error: Cyclic type dependency
Z := X or 1  // expect compile error: Cyclic type dependency
main:
  print X
