// Bad code points for string.from-rune / from-runes, and int.parse --if-error.
main:
  print (catch: string.from-rune -1)
  print (catch: string.from-rune 0x110000)
  print (catch: string.from-rune 0xD800)
  print (catch: string.from-runes [65, 0xDFFF])
  print (catch: string.from-runes [65, "B"])
  print (string.from-runes [])
  print (int.parse "ff" --radix=16 --if-error=: -1)
  print (int.parse "fg" --radix=16 --if-error=: "bad $it")
  print (catch: int.parse "1" --radix=99 --if-error=: 0)

// expect: INVALID_ARGUMENT
// expect: INVALID_ARGUMENT
// expect: INVALID_ARGUMENT
// expect: INVALID_ARGUMENT
// expect: WRONG_ARGUMENT_TYPE
// expect:
// expect: 255
// expect: bad fg
// expect: OUT_OF_RANGE
