// Checks int.parse with and without radix.
main:
  print (int.parse "123")
  print (int.parse "-45")
  print (int.parse "ff" --radix=16)
  print (int.parse "101" --radix=2)

// expect: 123
// expect: -45
// expect: 255
// expect: 5
