// Checks that a named parameter may not start with no-.
f --no-thing=false: return 1  // expect compile error:
main:
  print (f)
