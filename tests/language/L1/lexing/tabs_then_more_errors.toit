// Tabs in several lines: each is reported, and later errors still are.
class A:
	x := 1  // expect compile error: Can't have tabs in leading whitespace
	y := 2  // expect compile error: Can't have tabs in leading whitespace
main:
  print (A).x + nope  // expect compile error: Unresolved identifier: 'nope'
