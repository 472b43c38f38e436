double x/num -> num: return x * 2

main:
  print (double 2)
  print (double 1.5)

// expect: 4
// expect: 3.0
