// Plain assignment used as a value elsewhere is an error.
main:
  a := 1
  l := [a = 2]  // expect compile error: Assignment to variable not allowed at this location
  while a = 0: print a  // expect compile error: Assignment to variable not allowed at this location
  b := a == 1 ? (a = 3) : 0  // expect compile error: Assignment to variable not allowed at this location
