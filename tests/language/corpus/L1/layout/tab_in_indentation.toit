// Checks that a tab in leading indentation is a compile error.
main:
	print 1  // expect compile error: Can't have tabs in leading whitespace
