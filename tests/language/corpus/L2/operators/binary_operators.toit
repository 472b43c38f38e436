// Checks user-defined binary operators and ==.
class V:
  x /int
  constructor .x:
  operator + other/V -> V: return V x + other.x
  operator * k/int -> V: return V x * k
  operator == other: return other is V and x == other.x
  operator < other/V: return x < other.x
main:
  a := V 2
  b := V 3
  print (a + b).x
  print (a * 5).x
  print a == (V 2)
  print a != b
  print a < b

// expect: 5
// expect: 10
// expect: true
// expect: true
// expect: true
