// Methods whose body is `return <constant>` run without a frame; results
// and dispatch are as for any method.
class A:
  kind -> int: return 7
  flag -> bool: return true
  nothing: return null
  zero -> int: return 0
  one -> int: return 1
  big -> int: return 300
  pick x y -> int: return 42
  name -> string: return "A"

class B extends A:
  kind -> int: return 8
  flag -> bool: return false
  pick x y -> int: return x + y

main:
  items := [A, B, A]
  total := 0
  items.do: total += it.kind
  print total
  items.do: print "$it.flag $it.nothing $it.zero $it.one $it.big $it.name"
  a := A
  b := B
  print (a.pick 1 2)
  print (b.pick 1 2)
  print a.kind + b.kind
  x := 5
  print (catch: x.kind)

// expect: 22
// expect: true null 0 1 300 A
// expect: false null 0 1 300 A
// expect: true null 0 1 300 A
// expect: 42
// expect: 3
// expect: 15
// expect: LOOKUP_FAILED
