main:
  print "$(%k 5)"

// expect runtime error: WRONG_TYPE_IN_FORMAT k
