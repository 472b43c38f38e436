// Field reads fused with the operator after them (`a - o.x`), operators
// fused with the field store after them (`o.x = a - b`, `o.x -= v`), and
// `o.x op= v` reading its object and old value in one instruction: floats,
// ints, mixed operands, user operators, subclasses and null all behave as
// the unfused instructions do.
class V:
  x := 0.0
  n := 0
  v := null
  constructor .x .n:

class W extends V:
  constructor x n: super x n

class Money:
  cents/int
  constructor .cents:
  operator - other: return Money cents - (other is Money ? other.cents : other)
  operator * k: return Money cents * k
  stringify: return "$(cents)c"

main:
  a := V 1.5 10
  b := W 0.25 3
  // Floats: the field as the right operand.
  print a.x - b.x
  print 2.0 * b.x
  print 1 + b.x
  print a.x / b.x
  // Ints in the same shapes: the operator's int path.
  print a.n - b.n
  print a.n * b.n
  // Operator results straight into a field, as a statement and as a value.
  a.x = a.x * b.x - 0.125
  print a.x
  a.x = b.x + 1.0
  print a.x
  // A temporary reused for the result must not be shared with the field.
  a.x = b.x * 4.0 - 0.5
  z := a.x * 2.0 + 1.0
  print a.x
  print z
  // Compound assignment on floats, ints and a subclass receiver.
  a.x -= b.x * 2.0
  print a.x
  b.x += a.x
  print b.x
  a.n += b.n
  b.n *= a.n
  print "$a.n $b.n"
  // Mixed: an int field plus a float.
  a.n = a.n + 0.5
  print a.n
  // User operators in fields.
  a.v = Money 500
  b.v = Money 120
  print a.v - b.v
  a.v -= b.v
  print a.v
  a.v = a.v * 2
  print a.v
  // A float minus a user object goes to the float's operator (an error).
  print (catch: a.x - b.v)
  // null receivers: the same errors as without fusion.
  n := null
  print (catch: 1.0 - n.x)
  print (catch: n.x -= 1.0)
  print (catch: n.x = 2.0 - a.x)
  // Many iterations, with collections in between (temporaries and boxes).
  s := V 0.0 0
  t := V 0.5 1
  10000.repeat:
    s.x += t.x * 0.5
    s.n += t.n
  print s.x
  print s.n
// expect: 1.25
// expect: 0.5
// expect: 1.25
// expect: 6.0
// expect: 7
// expect: 30
// expect: 0.25
// expect: 1.25
// expect: 0.5
// expect: 2.0
// expect: 0.0
// expect: 0.25
// expect: 13 39
// expect: 13.5
// expect: 380c
// expect: 380c
// expect: 760c
// expect: WRONG_ARGUMENT_TYPE
// expect: LOOKUP_FAILED
// expect: LOOKUP_FAILED
// expect: LOOKUP_FAILED
// expect: 2500.0
// expect: 10000
