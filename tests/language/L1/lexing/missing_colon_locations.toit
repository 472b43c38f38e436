// "Missing colon" points at the end of the header line.
main:
  while false  // expect compile error: Missing colon
    print 1
  for i := 0; i < 1; i++  // expect compile error: Missing colon
    print i
