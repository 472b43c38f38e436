// Checks that named arguments may appear before, between and after positional ones.
f a b --x=0: return "$a $b $x"
main:
  print (f --x=1 2 3)
  print (f 2 --x=1 3)
  print (f 2 3 --x=1)

// expect: 2 3 1
// expect: 2 3 1
// expect: 2 3 1
