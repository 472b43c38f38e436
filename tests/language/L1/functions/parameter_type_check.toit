twice x/int -> int: return x + x

value: return "s"

main:
  print (twice value)

// expect runtime error: As check failed: a string ("s") is not a int.
