// Checks that plain assignment as a call argument is a compile error.
main:
  a := 1
  print (a = 3)  // expect compile error: Assignment to variable not allowed at this location
