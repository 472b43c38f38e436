// Checks that a getter is called without arguments like a field.
class Circle:
  r := 2
  diameter: return r * 2
main:
  c := Circle
  print c.diameter
  c.r = 5
  print c.diameter

// expect: 4
// expect: 10
