// Checks padding to a width on the left, right and center with spaces.
main:
  print "[$("ab".pad --left 5)]"
  print "[$("ab".pad --right 5)]"
  print "[$("ab".pad --center 6)]"
  print "[$("abcdef".pad --left 3)]"

// expect: [   ab]
// expect: [ab   ]
// expect: [  ab  ]
// expect: [abcdef]
