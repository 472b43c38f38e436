// Checks that a subclass inherits fields and methods.
class Base:
  count := 1
  inc: count++
class Derived extends Base:
  twice:
    inc
    inc
main:
  d := Derived
  d.twice
  print d.count

// expect: 3
