forever n: return forever n + 1

main:
  forever 0

// expect runtime error: STACK_OVERFLOW
