// Checks calling a block parameter and `it`.
twice [action]:
  action.call
  action.call
apply x [f]: return f.call x
main:
  twice: print "hi"
  print (apply 20: it + 1)
  print (apply 3: | n | n * n)

// expect: hi
// expect: hi
// expect: 21
// expect: 9
