// A 'none' value may not be an operand of and/or/not, nor a global's initializer.
nothing -> none: return
G := nothing  // expect compile error: Variable can't be initialized with 'none'
main:
  print (not nothing)  // expect compile error: Can't use a 'none' value
  print (nothing and true)  // expect compile error: Can't use a 'none' value
  while nothing: print 1  // expect compile error: Can't use a 'none' value
  print (nothing ? 1 : 2)  // expect compile error: Can't use a 'none' value
  print G
