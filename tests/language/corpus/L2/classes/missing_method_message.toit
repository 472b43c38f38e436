// Checks the VM message for a method that a class does not have.
class Q:
id x: return x
main:
  q := id Q
  q.foo

// expect runtime error: Class 'Q' does not have any method 'foo'.
