// Checks overriding and super across three levels.
class A:
  name: return "A"
class B extends A:
  name: return "B" + super
class C extends B:
  name: return "C" + super
main:
  print (C).name
  print ((C) is A)

// expect: CBA
// expect: true
