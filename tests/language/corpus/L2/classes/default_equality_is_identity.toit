// Checks that == defaults to identity for user classes.
class C:
main:
  a := C
  print a == a
  print a == C

// expect: true
// expect: false
