// Checks that an int literal is not accepted for a float parameter.
f x/float: return x
main:
  print (f 3)  // expect compile error: Type mismatch
