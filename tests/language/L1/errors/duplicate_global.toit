x := 1
x := 2  // expect compile error: Duplicate definition of 'x'

main:
  print x
