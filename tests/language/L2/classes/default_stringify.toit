class Thing:

main:
  print Thing

// expect: an instance of Thing
