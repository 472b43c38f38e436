main:
  f := :: | a b c d e | a  // expect compile error: Lambdas can have at most 4 parameters
