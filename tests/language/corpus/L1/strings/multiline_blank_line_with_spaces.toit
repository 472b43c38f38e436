// Checks that a blank line holding only a few spaces does not reduce the indentation.
main:
  s := """
      a
  
      b"""
  print s == "a\n\nb"

// expect: true
