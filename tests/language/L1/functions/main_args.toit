main args:
  print args.size

// expect: 0
