// Checks that a lambda with four parameters works and extras beyond its declared ones are ignored.
main:
  f := :: | a b c d | a + b + c + d
  print (f.call 1 2 3 4)
  g := :: | a | a
  print (g.call 1 2 3 4)

// expect: 10
// expect: 1
