// Checks that two definitions with overlapping shapes are a compile error.
f x: return 1
f x y=2: return 2  // expect compile error:
main:
  print (f 1 2)
