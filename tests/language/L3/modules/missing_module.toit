import nonexistent  // expect compile error: Cannot find module 'nonexistent'

main:
  print 1
