half x/float -> float: return x / 2

main:
  print (half 3)  // expect compile error: Type mismatch. Expected 'float'. Got 'int'
