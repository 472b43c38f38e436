// Checks that a lambda cannot capture a block variable.
f [b]:
  l := :: b.call  // expect compile error: Can't capture block variable b
  return l
main:
  f: 1
