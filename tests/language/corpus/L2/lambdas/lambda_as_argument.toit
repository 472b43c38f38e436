// Checks passing a lambda with `::` as the last argument.
apply f/Lambda x: return f.call x
main:
  print (apply (:: it * 3) 5)
  l := [1, 2]
  fns := l.map: | n | :: n * 10
  print (fns.map: it.call)

// expect: 15
// expect: [10, 20]
