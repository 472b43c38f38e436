// Checks that a non-local return from a block runs the finally clauses in between.
run [b]:
  try:
    b.call
  finally:
    print "cleanup"
find:
  run: return "found"
  return "not found"
main:
  print find

// expect: cleanup
// expect: found
