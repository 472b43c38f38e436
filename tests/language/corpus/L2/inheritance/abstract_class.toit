// Checks abstract classes with a concrete subclass.
abstract class Shape:
  abstract area -> float
  describe: return "area $area"
class Square extends Shape:
  side /float
  constructor .side:
  area -> float: return side * side
main:
  print (Square 2.0).describe

// expect: area 4.0
