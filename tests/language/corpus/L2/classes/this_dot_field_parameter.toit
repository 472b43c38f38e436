// Checks the `this.x` spelling of a field-storing parameter.
class P:
  x := 0
  constructor this.x:
main:
  print (P 7).x

// expect: 7
