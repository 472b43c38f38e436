// Checks that an uncaught out-of-bounds list access ends the program.
main:
  l := [1, 2]
  print l[7]

// expect runtime error: OUT_OF_BOUNDS
