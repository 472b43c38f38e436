// Checks slicing by byte offsets around a multi-byte character.
main:
  s := "héllo"
  print s[1..3]
  print s[3..]
  print (catch: s[1..2])
  print (catch: s[2..])

// expect: é
// expect: llo
// expect: ILLEGAL_UTF_8
// expect: ILLEGAL_UTF_8
