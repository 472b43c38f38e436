// Float results that feed another + - * / % are temporaries the VM may
// overwrite (INVOKE_*_TEMP); no value a program can still see may change.

class Keep:
  kept := []
  operator + other:
    kept.add other
    return 0.5
  operator * other:
    kept.add other
    return kept[0]

class Body:
  x := 1.0
  v := 0.25

main:
  a := 1.5
  b := 2.0
  c := 4.0
  print (a * b + c * a)             // 3.0 + 6.0
  print ((a + b) * (c - a) / b)     // 3.5 * 2.5 / 2
  print ((a * b) % (c - b))         // 3.0 % 2.0
  print (1 + 2 * a - (3 - b) * c)   // 1 + 3.0 - 4.0
  print ((7 % 4) * a)               // ints feeding a float
  print (a * b - a * b)

  // A temporary passed to a user operator is an ordinary float after that.
  k := Keep
  r := (k + a * b) * c + a * c
  print r
  print k.kept
  s := (k * (b * c)) + (b * c) * a
  print s
  print k.kept
  t := (k * 1) + 1.0
  print t
  print k.kept

  // Compound assignment of a temporary into a field and a local.
  body := Body
  body.x -= a * b * body.v
  print body.x
  keep := body.x
  body.x += b * c
  print keep
  print body.x
  y := 10.0
  z := y
  y -= a * c
  print y
  print z

  // Mixed with large ints and errors: nothing is overwritten by mistake.
  big := 0x7fff_ffff_ffff
  print (big * 2 + 1)
  print ((a * b) + big)
  e := catch: (a * b) + "x"
  print (e != null)
  print (a * b)

// expect: 9.0
// expect: 4.375
// expect: 1.0
// expect: 0.0
// expect: 4.5
// expect: 0.0
// expect: 8.0
// expect: [3.0]
// expect: 15.0
// expect: [3.0, 8.0]
// expect: 4.0
// expect: [3.0, 8.0, 1]
// expect: 0.25
// expect: 0.25
// expect: 8.25
// expect: 4.0
// expect: 10.0
// expect: 281474976710655
// expect: 140737488355330.0
// expect: true
// expect: 3.0
