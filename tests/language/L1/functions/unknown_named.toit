f x: return x

main:
  print (f 1 --verbose)  // expect compile error: Argument mismatch for 'f'
