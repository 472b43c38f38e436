// Places where a 'none' call's value is allowed (it is null there), and
// functions that look like 'none' but are not.
nothing: print "side effect"
returns-from-block:
  [1].do: return it
  return 0
typed -> any: return null
main:
  print (nothing)
  l := [nothing]
  print l
  x := returns-from-block
  print x
  if typed: print "no"
  y := typed
  print y

// expect: side effect
// expect: null
// expect: side effect
// expect: [null]
// expect: 1
// expect: null
