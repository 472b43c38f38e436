// Checks plain recursion.
fib n/int -> int:
  if n < 2: return n
  return (fib n - 1) + (fib n - 2)
main:
  print (fib 20)

// expect: 6765
