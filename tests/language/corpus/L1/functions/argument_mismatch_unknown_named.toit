// Checks that an unknown named argument is a compile error.
f x --a=1: return x
main:
  print (f 1 --b=2)  // expect compile error: Argument mismatch for 'f'
