main:
  i := 0
  while true:
    i++
    if i == 2: continue
    if i > 4: break
    print "i=$i"

// expect: i=1
// expect: i=3
// expect: i=4
