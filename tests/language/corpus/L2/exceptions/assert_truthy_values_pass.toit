// Checks that assert accepts any truthy value.
main:
  assert: 0
  assert: ""
  assert: []
  print "passed"

// expect: passed
