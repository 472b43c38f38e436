// Checks that and/or do not evaluate the right operand when not needed.
hit:
  print "evaluated"
  return true
main:
  print (false and hit)
  print (true or hit)
  print (true and hit)

// expect: false
// expect: true
// expect: evaluated
// expect: true
