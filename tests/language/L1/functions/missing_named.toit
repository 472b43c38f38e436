connect --host/string:
  print host

main:
  connect  // expect compile error: Argument mismatch for 'connect'
