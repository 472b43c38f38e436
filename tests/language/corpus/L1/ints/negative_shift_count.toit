// Checks that a negative shift count throws NEGATIVE_ARGUMENT.
main:
  n := -1
  print (catch: 1 << n)
  print (catch: 1 >> n)
  print (catch: 1 >>> n)

// expect: NEGATIVE_ARGUMENT
// expect: NEGATIVE_ARGUMENT
// expect: NEGATIVE_ARGUMENT
