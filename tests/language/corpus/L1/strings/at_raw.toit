// Checks that s.at --raw i gives the raw byte.
main:
  s := "é"
  print (s.at --raw 0)
  print (s.at --raw 1)

// expect: 195
// expect: 169
