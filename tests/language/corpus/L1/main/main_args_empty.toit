// Checks that `main args:` receives an empty List when no arguments are given.
main args:
  print args
  print args.size
  print (args is List)

// expect: []
// expect: 0
// expect: true
