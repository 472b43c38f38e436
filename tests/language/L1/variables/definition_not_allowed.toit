main:
  print (x := 3)  // expect compile error: Definition of variable not allowed at this location
