main:
  print (true && false)  // expect compile error: Deprecated operator '&&'
