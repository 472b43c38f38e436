// Checks that plain assignment as an if condition is a compile error.
main:
  a := 1
  if a = 3: print a  // expect compile error: Assignment to variable not allowed at this location
