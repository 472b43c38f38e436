// Checks an index operator with two arguments.
class Matrix:
  operator [] i j: return i * 10 + j
main:
  m := Matrix
  print m[2, 3]

// expect: 23
