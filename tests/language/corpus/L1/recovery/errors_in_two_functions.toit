// Checks that errors in two different functions are both reported.
f x/int: return x
g:
  print (f "s")  // expect compile error: Type mismatch
h:
  print (f 1 2)  // expect compile error: Argument mismatch for 'f'
main:
  g
  h
