main:
  print ("a.b.c".replace "." "-")
  print ("a.b.c".replace "." "-" --all)
  print "[$("7".pad --left 3 '0')]"
  print "[$("ab".pad --right 4)]"

// expect: a-b.c
// expect: a-b-c
// expect: [007]
// expect: [ab  ]
