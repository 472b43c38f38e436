// Checks a lambda that calls itself through a captured variable.
main:
  fact := null
  fact = :: | n | n <= 1 ? 1 : n * (fact.call n - 1)
  print (fact.call 5)

// expect: 120
