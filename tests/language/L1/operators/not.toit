main:
  print (not true)
  print (not null)
  print (not 0)
  print (not "")
  x := not false
  print x
  if not x: print "no"
  else: print "yes"

// expect: false
// expect: true
// expect: false
// expect: false
// expect: true
// expect: yes
