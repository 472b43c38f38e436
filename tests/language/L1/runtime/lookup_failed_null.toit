main:
  x := null
  x.foo

// expect runtime error: Class 'Null_' does not have any method 'foo'.
