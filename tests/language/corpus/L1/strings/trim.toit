// Checks trim, trim --left and trim --right.
main:
  s := "  x y  "
  print "[$s.trim]"
  print "[$(s.trim --left)]"
  print "[$(s.trim --right)]"
  print "[$("\t\n z \n".trim)]"

// expect: [x y]
// expect: [x y  ]
// expect: [  x y]
// expect: [z]
