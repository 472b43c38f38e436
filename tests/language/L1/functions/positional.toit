add a b: return a + b
square x/int -> int: return x * x

main:
  print (add 2 3)
  print (square 7)

// expect: 5
// expect: 49
