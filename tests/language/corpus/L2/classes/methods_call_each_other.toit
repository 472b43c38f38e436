// Checks that methods call each other through implicit this.
class Calc:
  v := 2
  double: return v * 2
  quad: return double * 2
main:
  print (Calc).quad

// expect: 8
