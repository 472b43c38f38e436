run [b]:
  f := :: b.call  // expect compile error: Can't capture block variable b
  return f

main:
  run: 1
