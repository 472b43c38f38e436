square x: return x * x
twice x: return x + x

main:
  print (twice (square 3))
  print (square (twice 2) + 1)

// expect: 18
// expect: 25
