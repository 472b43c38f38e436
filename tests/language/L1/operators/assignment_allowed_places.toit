// Plain assignment is allowed as a statement, as the right side of another
// assignment, after return, and as a for update; compound ones anywhere.
f x:
  return x = 4
main:
  a := 0
  b := 0
  a = b = 5
  print a
  print b
  print (f 1)
  for i := 0; i < 3; i = i + 1: a = i
  print a
  print (a += 2)
  [1].do: b = it
  print b
  if true: a = 9
  print a

// expect: 5
// expect: 5
// expect: 4
// expect: 2
// expect: 4
// expect: 1
// expect: 9
