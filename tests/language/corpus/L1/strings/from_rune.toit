// Checks string.from-rune and string.from-runes.
main:
  print (string.from-rune 0x41)
  print (string.from-rune 233)
  print (string.from-rune 233).size
  print (string.from-runes [104, 105, 0x20AC])

// expect: A
// expect: é
// expect: 2
// expect: hi€
