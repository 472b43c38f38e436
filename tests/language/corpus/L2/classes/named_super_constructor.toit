// Checks calling a named superclass constructor.
class A:
  tag := ""
  constructor.tagged t:
    tag = t
class B extends A:
  constructor:
    super.tagged "from B"
main:
  print (B).tag

// expect: from B
