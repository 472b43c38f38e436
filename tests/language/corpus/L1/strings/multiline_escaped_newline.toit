// Checks that a backslash before a newline in a multi-line string removes the newline.
main:
  s := """
    ab\
    cd
    """
  print s == "abcd\n"

// expect: true
