// Checks break and continue in while and for loops.
main:
  i := 0
  while true:
    i++
    if i == 2: continue
    if i > 4: break
    print "i=$i"
  for j := 0; j < 5; j++:
    if j % 2 == 0: continue
    print "j=$j"

// expect: i=1
// expect: i=3
// expect: i=4
// expect: j=1
// expect: j=3
