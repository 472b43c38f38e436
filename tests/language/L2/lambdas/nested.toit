main:
  x := 1
  outer := ::
    inner := :: x + 10
    inner.call
  print outer.call

// expect: 11
