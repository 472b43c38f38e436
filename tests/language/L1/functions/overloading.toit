describe x/int: return "one int: $x"
describe x/int y/int: return "two ints: $x $y"
describe --label/string: return "label: $label"

main:
  print (describe 1)
  print (describe 1 2)
  print (describe --label="x")

// expect: one int: 1
// expect: two ints: 1 2
// expect: label: x
