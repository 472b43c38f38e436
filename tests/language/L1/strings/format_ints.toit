main:
  n := 42
  print "[$(%5d n)]"
  print "[$(%-5d n)]"
  print "[$(%05d n)]"
  print "[$(%x 255)]"
  print "[$(%X 255)]"
  print "[$(%o 8)]"
  print "[$(%b 5)]"
  print "[$(%08b 5)]"
  print "[$(%x -1)]"

// expect: [   42]
// expect: [42   ]
// expect: [00042]
// expect: [ff]
// expect: [FF]
// expect: [10]
// expect: [101]
// expect: [00000101]
// expect: [ffffffffffffffff]
