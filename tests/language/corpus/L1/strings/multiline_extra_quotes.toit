// Checks that up to 5 quotes may close a triple-quoted string: extra quotes are content.
main:
  s := """"x""""
  print s
  print s.size

// expect: "x"
// expect: 3
