main:
	print 1  // expect compile error: Can't have tabs in leading whitespace
