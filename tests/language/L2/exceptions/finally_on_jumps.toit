// break/continue out of (nested) try bodies run every finally on the way,
// also from blocks, with locals live, and the loop goes on correctly.
main:
  total := 0
  for i := 0; i < 5; i++:
    a := i * 10
    try:
      b := a + 1
      try:
        if i == 1: continue
        if i == 3: break
        total += b
      finally:
        print "inner $i"
    finally:
      print "outer $i"
  print total
  j := 0
  while j < 3:
    j++
    [1, 2].do:
      try:
        if it == 2: continue
        print "do $j $it"
      finally:
        print "f $j $it"
  k := 0
  while true:
    try:
      k++
      if k < 3: continue
      break
    finally:
      print "k $k"
  e := catch:
    while true:
      try:
        break
      finally:
        throw "from finally"
  print e

// expect: inner 0
// expect: outer 0
// expect: inner 1
// expect: outer 1
// expect: inner 2
// expect: outer 2
// expect: inner 3
// expect: outer 3
// expect: 22
// expect: do 1 1
// expect: f 1 1
// expect: f 1 2
// expect: do 2 1
// expect: f 2 1
// expect: f 2 2
// expect: do 3 1
// expect: f 3 1
// expect: f 3 2
// expect: k 1
// expect: k 2
// expect: k 3
// expect: from finally
