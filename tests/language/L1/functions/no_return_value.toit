f x/int -> int:  // expect compile error: Method doesn't return a value
  x + 1

main:
  print (f 1)
