// Checks that a literal of the wrong type for a typed parameter is a compile error.
f x/int: return x
main:
  print (f "str")  // expect compile error: Type mismatch. Expected 'int'. Got 'string'
