f x:  // expect compile error: Method can't have 'return's with and without value
  if x: return
  return 5

main:
  f 1
