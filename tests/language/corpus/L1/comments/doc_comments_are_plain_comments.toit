// Checks that /// and /** */ doc comments behave like ordinary comments.
/// Returns one.
one: return 1
/**
Returns two.
*/
two: return 2
main:
  print (one) + (two)

// expect: 3
