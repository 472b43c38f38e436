// Checks that a block parameter may be passed on to another function.
inner [b]: return b.call 5
outer [b]: return inner b
main:
  print (outer: it * 2)

// expect: 10
