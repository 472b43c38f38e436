// Checks that a lambda is an instance of Lambda and stringifies as lambda.
main:
  f := :: 1
  print (f is Lambda)
  print "$f"

// expect: true
// expect: lambda
