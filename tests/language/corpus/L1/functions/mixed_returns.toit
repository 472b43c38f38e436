// Checks that mixing `return expr` and bare `return` is a compile error.
f x:
  if x: return
  return 5  // expect compile error: Method can't have 'return's with and without value
main:
  f true
