// Checks that a lambda returned from a method keeps working after the method returns.
class Adder:
  base /int
  constructor .base:
  make: return :: it + base
main:
  f := (Adder 10).make
  print (f.call 5)

// expect: 15
