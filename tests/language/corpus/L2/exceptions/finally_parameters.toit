// Checks the finally parameters: whether an exception is in flight and its value.
f x:
  try:
    if x: throw "BAD"
  finally: | is-exc e |
    print is-exc
    print (is-exc ? e.value : e)
main:
  f false
  catch: f true

// expect: false
// expect: null
// expect: true
// expect: BAD
