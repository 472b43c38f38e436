// Checks that finally runs on normal completion, on exception and on return.
f x:
  try:
    if x == 1: throw "ERR"
    if x == 2: return "returned"
    print "normal"
  finally:
    print "cleanup $x"
  return "end"
main:
  print (f 0)
  print (catch: f 1)
  print (f 2)

// expect: normal
// expect: cleanup 0
// expect: end
// expect: cleanup 1
// expect: ERR
// expect: cleanup 2
// expect: returned
