// Checks that a global whose initializer throws stays uninitialized and is retried.
attempts := 0
V := make-v
make-v:
  attempts++
  if attempts == 1: throw "first fails"
  return "ok on $attempts"
main:
  print (catch: V)
  print V
  print V

// expect: first fails
// expect: ok on 2
// expect: ok on 2
