// Checks that lambdas inside collections stringify as lambda.
main:
  print [(:: 1), (:: 2)]

// expect: [lambda, lambda]
