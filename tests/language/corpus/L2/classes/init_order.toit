// Checks initialization order: field initializers, static part, super, dynamic part.
trace msg:
  print msg
  return 0
class A:
  a := trace "A field"
  constructor:
    trace "A body"
class B extends A:
  b := trace "B field"
  constructor:
    trace "B static part"
    super
    trace "B dynamic part"
main:
  B

// expect: B field
// expect: B static part
// expect: A field
// expect: A body
// expect: B dynamic part
