class P:
  x := 1
  foo:
    x := 2  // expect compile error: shadows outer field definition
    return x

main:
  print P.foo
