// Checks all compound assignment operators on ints.
main:
  x := 10
  x += 5; print x
  x -= 3; print x
  x *= 2; print x
  x /= 5; print x
  x %= 3; print x
  x = 12
  x &= 10; print x
  x |= 1; print x
  x ^= 3; print x
  x <<= 2; print x
  x >>= 1; print x
  x = -8
  x >>>= 60; print x

// expect: 15
// expect: 12
// expect: 24
// expect: 4
// expect: 1
// expect: 8
// expect: 9
// expect: 10
// expect: 40
// expect: 20
// expect: 15
