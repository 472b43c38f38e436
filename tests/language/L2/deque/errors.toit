// Bad inputs to Deque: removing from or reading an empty deque, bad indexes.
main:
  d := Deque
  print (catch: d.remove-first)
  print (catch: d.remove-last)
  print (catch: d.first)
  print (catch: d.last)
  print (catch: d[0])
  print (catch: d.reduce: | a b | a + b)
  20.repeat: d.add-first it
  print d.size
  print d.first
  print d.last
  print (catch: d[20])
  print (catch: d[-1])
  print (d.reduce: | a b | a + b)
  print d.remove-last
  print d

// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: Not enough elements
// expect: 20
// expect: 19
// expect: 0
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: 190
// expect: 0
// expect: [19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
