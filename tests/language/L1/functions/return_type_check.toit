get -> string: return 42  // expect compile error: Type mismatch. Expected 'string'. Got 'int'

main:
  print get
