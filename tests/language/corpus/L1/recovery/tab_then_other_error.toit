// Checks that a tab indentation error does not hide a later error.
f:
	print 1  // expect compile error: Can't have tabs in leading whitespace
main:
  print nowhere  // expect compile error: Unresolved identifier: 'nowhere'
