// Checks static fields and static methods accessed through the class.
class Counter:
  static count := 0
  static bump: count++
  constructor:
    Counter.count++
main:
  Counter
  Counter
  Counter.bump
  print Counter.count

// expect: 3
