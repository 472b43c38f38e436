// Checks that t1.to t2 gives the Duration between them.
main:
  a := Time.epoch --s=1
  b := Time.epoch --s=4
  print (a.to b)
  print (b.to a)

// expect: 3s
// expect: -3s
