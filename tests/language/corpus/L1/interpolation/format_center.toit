// Checks ^ centering, with an odd leftover space going to the right.
main:
  print "[$(%^6s "ab")]"
  print "[$(%^5s "ab")]"

// expect: [  ab  ]
// expect: [ ab  ]
