// Checks that an unknown type name is a compile error.
f x/Nonexistent: return x  // expect compile error:
main:
  print (f 1)
