// A block variable may only be called or passed on: other uses are errors.
g x: return x
h [b]:
  x := b  // expect compile error: A block can only be called or passed as an argument
  m := {1: b}  // expect compile error: A block can only be called or passed as an argument
  print (g b)  // expect compile error: Argument mismatch for 'g'
  return "$(%5s b)"  // expect compile error: A block can only be called or passed as an argument
main:
  h: 1
