// Checks that %s formatting uses a user-defined stringify.
class T:
  stringify: return "tee"
main:
  print "[$(%5s T)]"

// expect: [  tee]
