// Checks that a definition inside a call argument is a compile error.
main:
  print (x := 3)  // expect compile error: Definition of variable not allowed at this location
