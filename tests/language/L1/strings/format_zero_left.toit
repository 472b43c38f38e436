main:
  print "$(%-05d 42)"

// expect runtime error: ZERO_PADDING_ONLY_WITH_RIGHT_ALIGNMENT -05d
