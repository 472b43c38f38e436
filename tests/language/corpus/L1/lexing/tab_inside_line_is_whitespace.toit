// Checks that a tab that is not leading indentation is ordinary whitespace.
main:
  x :=	5
  print	x

// expect: 5
