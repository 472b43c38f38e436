// A virtual method across 8 classes in a mixed list.
abstract class Shape:
  abstract area -> int

class S0 extends Shape:
  area -> int: return 1
class S1 extends Shape:
  area -> int: return 2
class S2 extends Shape:
  area -> int: return 3
class S3 extends Shape:
  area -> int: return 4
class S4 extends Shape:
  area -> int: return 5
class S5 extends Shape:
  area -> int: return 6
class S6 extends Shape:
  area -> int: return 7
class S7 extends Shape:
  area -> int: return 8

main:
  shapes := [S0, S1, S2, S3, S4, S5, S6, S7, S3, S1, S6, S0, S2, S7, S5, S4]
  total := 0
  for round := 0; round < 200000; round++:
    shapes.do: total += it.area
  print total
