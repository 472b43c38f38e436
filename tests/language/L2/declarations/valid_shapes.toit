// Declarations the checks must accept: distinct overload shapes, abstract
// members implemented by fields or in a superclass, a one-parameter setter.
f x: return "one"
f x y: return "two"
f x [b]: return "block"
f x --named: return "named"
g --a=1: return "a"
g --b: return "b"

interface HasSize:
  size -> int

abstract class Base implements HasSize:
  abstract name -> string
  describe: return "$name"

abstract class Mid extends Base:
  size := 3

class Leaf extends Mid:
  name -> string: return "leaf"
  value= v: size = v

abstract mixin Named:
  abstract name -> string
  greet: return "hi $name"

class Person extends Object with Named:
  name -> string: return "ann"

main:
  print (f 1)
  print (f 1 2)
  print (f 1: 0)
  print (f 1 --named)
  print (g --b)
  l := Leaf
  l.value = 7
  print "$l.describe/$l.size"
  print (Person).greet

// expect: one
// expect: two
// expect: block
// expect: named
// expect: b
// expect: leaf/7
// expect: hi ann
