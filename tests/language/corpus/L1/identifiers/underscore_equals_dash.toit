// Checks that `_` and `-` between identifier characters name the same thing.
index_of x: return x + 1
main:
  my-value := 41
  print my_value
  print (index-of my_value)

// expect: 41
// expect: 42
