// The error points at the first return that mixes the two kinds.
f x:
  if x: return
  return 5  // expect compile error: Method can't have 'return's with and without value

g x:
  x.do: if it > 0: return it  // a return from a block counts for g
  return  // expect compile error: Method can't have 'return's with and without value

main:
  f 1
  g [1]
