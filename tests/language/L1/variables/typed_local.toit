main:
  x /int := 5
  y/string := "s"
  z /string? := null
  print x
  print y
  print z

// expect: 5
// expect: s
// expect: null
