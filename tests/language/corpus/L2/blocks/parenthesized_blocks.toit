// Checks several parenthesized block arguments after positional ones.
both x [f] [g]: return (g.call (f.call x))
main:
  print (both 5 (: it + 1) (: it * 10))

// expect: 60
