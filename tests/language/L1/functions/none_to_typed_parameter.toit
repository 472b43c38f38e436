// A 'none' value may not be passed to a typed parameter (untyped is fine).
nothing: return
typed x/int: return x
untyped x: return x
main:
  print (untyped nothing)
  print (typed nothing)  // expect compile error: Can't pass a 'none' value to a typed parameter
