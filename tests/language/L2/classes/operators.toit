class V:
  x /int
  constructor .x:
  operator + other/V -> V: return V x + other.x
  operator - -> V: return V -x
  operator == other: return other is V and x == other.x
  operator [] i: return x * i
  operator < other/V -> bool: return x < other.x
  stringify: return "V$x"

main:
  print (V 1) + (V 2)
  print -(V 3)
  print (V 1) == (V 1)
  print (V 1) != (V 2)
  print (V 4)[3]
  print (V 1) < (V 2)

// expect: V3
// expect: V-3
// expect: true
// expect: true
// expect: 12
// expect: true
