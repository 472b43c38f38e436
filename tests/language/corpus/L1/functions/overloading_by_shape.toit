// Checks overloading by positional count and named parameter names.
describe x: return "one: $x"
describe x y: return "two: $x $y"
describe --label: return "label: $label"
main:
  print (describe 1)
  print (describe 1 2)
  print (describe --label="x")

// expect: one: 1
// expect: two: 1 2
// expect: label: x
