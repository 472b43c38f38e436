// Checks that blank lines do not count for the common indentation.
main:
  s := """
      a

      b
      """
  print s == "a\n\nb\n"

// expect: true
