// Checks that s[i] is the code point starting at byte i and null inside a sequence.
main:
  s := "aé€"
  print s[0]
  print s[1]
  print s[2]
  print s[3]
  print s[4]
  print s[5]

// expect: 97
// expect: 233
// expect: null
// expect: 8364
// expect: null
// expect: null
