// Locals defined inside a loop body do not leak between iterations.
main:
  total := 0
  for i := 0; i < 4; i++:
    sq := i * i
    total += sq
  print total

// expect: 14
