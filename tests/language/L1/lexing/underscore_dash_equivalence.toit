// `_` and `-` between identifier characters name the same thing.
index_of x: return x + 1

main:
  my-value := 5
  print my_value
  print (index-of 2)

// expect: 5
// expect: 3
