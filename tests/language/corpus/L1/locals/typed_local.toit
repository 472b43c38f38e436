// Checks typed locals with and without a space before '/', and nullable types.
main:
  x /int := 3
  y/string := "s"
  z /string? := null
  print x
  print y
  print z
  z = "now"
  print z

// expect: 3
// expect: s
// expect: null
// expect: now
