// Checks that zero padding with left alignment throws at run time.
main:
  print (catch: "$(%-05d 42)")

// expect: ZERO_PADDING_ONLY_WITH_RIGHT_ALIGNMENT -05d
