// Checks reduce with and without --initial, and on an empty list.
main:
  print ([1, 2, 3].reduce: | a b | a + b)
  print ([1, 2, 3].reduce --initial=10: | a b | a + b)
  print ([].reduce --initial=0: | a b | a + b)
  print (catch: [].reduce: | a b | a + b)

// expect: 6
// expect: 16
// expect: 0
// expect: Not enough elements
