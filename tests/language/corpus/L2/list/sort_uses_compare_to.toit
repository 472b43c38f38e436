// Checks that the default sort uses compare-to/< on user objects.
class V:
  n /int
  constructor .n:
  compare-to other: return n.compare-to other.n
  operator < other: return n < other.n
  stringify: return "V$n"
main:
  print [V 3, V 1, V 2].sort

// expect: [V1, V2, V3]
