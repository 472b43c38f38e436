// Checks that a lambda may declare at most 4 parameters.
main:
  f := :: | a b c d e | a  // expect compile error: Lambdas can have at most 4 parameters
