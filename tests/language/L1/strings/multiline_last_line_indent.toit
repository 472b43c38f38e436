main:
  s := """
    one
      two
    """
  print s.size

// expect: 10
