twice x/int -> int: return x + x

main:
  print (twice "two")
  y /string := 42
