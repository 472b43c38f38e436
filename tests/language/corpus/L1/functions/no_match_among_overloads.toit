// Checks that a call matching none of the overloads is an argument mismatch.
f x: return 1
f x y: return 2
main:
  print (f 1 2 3)  // expect compile error: Argument mismatch for 'f'
