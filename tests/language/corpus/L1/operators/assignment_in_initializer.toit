// Checks that plain assignment as the initializer of a definition is a compile error.
main:
  a := 1
  x := (a = 3)  // expect compile error: Assignment to variable not allowed at this location
  print x
