// Checks that too many arguments is a compile error.
f x: return x
main:
  print (f 1 2)  // expect compile error: Argument mismatch for 'f'
