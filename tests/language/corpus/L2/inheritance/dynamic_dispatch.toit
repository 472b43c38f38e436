// Checks that a call through a superclass-typed variable dispatches to the subclass.
class A:
  name: return "A"
  hello: return "hello from $name"
class B extends A:
  name: return "B"
main:
  x /A := B
  print x.hello
  print (A).hello

// expect: hello from B
// expect: hello from A
