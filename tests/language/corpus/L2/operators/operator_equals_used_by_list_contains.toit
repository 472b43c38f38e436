// Checks that List.contains and index-of use the user-defined ==.
class K:
  v /int
  constructor .v:
  operator == other: return other is K and v == other.v
main:
  l := [K 1, K 2]
  print (l.contains (K 2))
  print (l.index-of (K 2))

// expect: true
// expect: 1
