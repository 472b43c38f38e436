fib n/int -> int:
  if n < 2: return n
  return (fib n - 1) + (fib n - 2)

fact n: return n <= 1 ? 1 : n * (fact n - 1)

main:
  print (fib 20)
  print (fact 20)

// expect: 6765
// expect: 2432902008176640000
