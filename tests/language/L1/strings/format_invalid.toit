main:
  print "$(%+d 5)"  // expect compile error: Invalid format string
