main:
  print "$(%.2f 3.14159)"
  print "$(%.3f 2.0)"
  print "[$(%^6s "ab")]"
  print "[$(%-4s "x")]"
  print "$(%d 3.7)"
  print "$(%c 65)"

// expect: 3.14
// expect: 2.000
// expect: [  ab  ]
// expect: [x   ]
// expect: 3
// expect: A
