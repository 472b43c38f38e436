// Checks that an unknown format type letter throws WRONG_TYPE_IN_FORMAT at run time.
main:
  e := catch: "$(%k 42)"
  print (e.starts-with "WRONG_TYPE_IN_FORMAT")

// expect: true
