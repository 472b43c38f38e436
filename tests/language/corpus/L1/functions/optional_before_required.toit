// Checks that an optional positional parameter may not precede a required one.
f x=1 y: return x + y  // expect compile error:
main:
  print (f 2)
