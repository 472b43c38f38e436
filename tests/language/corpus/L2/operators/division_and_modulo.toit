// Checks user-defined / and %.
class Q:
  v /int
  constructor .v:
  operator / o: return Q v / o
  operator % o: return Q v % o
main:
  print ((Q 17) / 5).v
  print ((Q 17) % 5).v

// expect: 3
// expect: 2
