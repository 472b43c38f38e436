main:
  n := 5
  print (n > 3 ? "big" : "small")
  print (n < 0 ? -1 : (n == 0 ? 0 : 1))
  s := n % 2 == 0 ? "even" : "odd"
  print s

// expect: big
// expect: 1
// expect: odd
