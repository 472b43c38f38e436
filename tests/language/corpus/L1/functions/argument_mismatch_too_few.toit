// Checks that too few arguments is a compile error.
f x y: return x
main:
  print (f 1)  // expect compile error: Argument mismatch for 'f'
