f x: return x

main:
  print (f 1 2)  // expect compile error: Argument mismatch for 'f'
