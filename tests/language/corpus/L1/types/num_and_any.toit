// Checks that num accepts ints and floats and any accepts everything.
f x/num: return x * 2
g x/any: return x
main:
  print (f 2)
  print (f 1.5)
  print (g "s")
  print (g null)

// expect: 4
// expect: 3.0
// expect: s
// expect: null
