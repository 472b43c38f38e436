// Checks that a dash between identifier characters is part of the identifier.
main:
  is-big := 7
  x-1 := 3
  print is-big
  print x-1

// expect: 7
// expect: 3
