// int.MIN / -1 wraps to int.MIN; int.MIN % -1 is 0 (our choice).
main:
  m := int.MIN
  print m / -1 == int.MIN
  print m % -1

// expect: true
// expect: 0
