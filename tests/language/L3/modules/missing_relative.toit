import .no.such.file  // expect compile error: Cannot find module 'file'

main:
  print 1
