// Checks that positional blocks must come after non-block arguments.
f x [b]: return b.call x
main:
  print (f 3 (: it * 2))
  print (f (: it * 2) 3)  // expect compile error: Blocks must be after non-block arguments
