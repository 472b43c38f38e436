// Checks the implicit zero-argument constructor and field initializers.
class Box:
  value := 7
  label := "box"
main:
  b := Box
  print b.value
  print b.label

// expect: 7
// expect: box
