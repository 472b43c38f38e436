// Checks that list stringify uses each element's stringify.
class P:
  n /int
  constructor .n:
  stringify: return "P$n"
main:
  print [P 1, P 2]
  print "$([P 3])"

// expect: [P1, P2]
// expect: [P3]
