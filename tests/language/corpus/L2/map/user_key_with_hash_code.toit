// Checks user objects with == and hash-code as map keys.
class K:
  v /int
  constructor .v:
  operator == other: return other is K and v == other.v
  hash-code: return v
main:
  m := {:}
  m[K 1] = "one"
  print m[K 1]
  print (m.contains (K 2))

// expect: one
// expect: false
