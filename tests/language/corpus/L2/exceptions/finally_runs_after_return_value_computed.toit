// Checks that finally runs after the return value is computed.
counter := 0
f:
  try:
    counter = 1
    return counter
  finally:
    counter = 2
  unreachable
main:
  print f
  print counter

// expect: 1
// expect: 2
