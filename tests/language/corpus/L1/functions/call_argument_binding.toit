// Checks that arguments bind at level 6: `f g x` passes two arguments.
square x: return x * x
twice x: return x + x
pair a b: return "$a,$b"
three: return 3
main:
  print (twice (square 3))
  print (square (twice 2) + 1)
  print (pair three 4)

// expect: 18
// expect: 25
// expect: 3,4
