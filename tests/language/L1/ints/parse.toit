main:
  print (int.parse "123")
  print (int.parse "-42")
  print (int.parse "ff" --radix=16)
  print (int.parse "1_000")
  print (catch: int.parse "12x")
  print (catch: int.parse "")
  print (catch: int.parse "9223372036854775808")

// expect: 123
// expect: -42
// expect: 255
// expect: 1000
// expect: INTEGER_PARSING_ERROR
// expect: INTEGER_PARSING_ERROR
// expect: INTEGER_PARSING_ERROR
