main:
  x := 10
  x += 5
  x -= 3
  x *= 2
  x /= 4
  x %= 4
  print x
  y := 1
  y <<= 4
  y |= 1
  y &= 0x1F
  y ^= 3
  y >>= 1
  print y
  s := "a"
  s += "b"
  print s

// expect: 2
// expect: 9
// expect: ab
