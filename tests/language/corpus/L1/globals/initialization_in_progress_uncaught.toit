// Checks that an uncaught self-referential initialization ends the program.
X := read-x
read-x -> any: return X
main:
  print X

// expect runtime error: INITIALIZATION_IN_PROGRESS
