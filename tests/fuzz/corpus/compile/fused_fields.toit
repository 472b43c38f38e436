// Float fields: fused field-read operators, operator-to-field stores,
// compound assignment, and a receiver-only primitive (sqrt).
class P:
  x := 0.0
  y := 1.5
  n := 3
main:
  a := P
  b := P
  10.repeat:
    a.x += b.y * 0.5
    b.y = a.x - b.y
    a.n += b.n
  print (a.x * a.x + b.y * b.y).sqrt
  print a.n
