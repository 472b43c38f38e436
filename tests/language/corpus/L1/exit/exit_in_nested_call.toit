// Checks that exit from deep inside calls ends the program.
g: exit 7
f: g
main:
  f
  print "not printed"

// expect exit: 7
