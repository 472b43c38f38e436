// Checks the VM message when a method exists but the arguments do not match.
class Q:
  foo x: return x
id x: return x
main:
  q := id Q
  q.foo 1 2

// expect runtime error: Argument mismatch for 'Q.foo'
