// Checks that omitting a required named argument is a compile error.
f --name: return name
main:
  print (f)  // expect compile error: Argument mismatch for 'f'
