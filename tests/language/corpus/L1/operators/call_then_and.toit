// Checks `foo x and y` is `(foo x) and y`.
id x: return x
main:
  print (id 5 and 6)
  print (id null and 6)

// expect: 6
// expect: null
