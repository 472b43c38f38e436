twice x/int -> int: return x + x

main:
  print (twice "s")  // expect compile error: Type mismatch. Expected 'int'. Got 'string'
