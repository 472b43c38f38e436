// Checks that three independent errors across the file are all reported.
G /int := "no"  // expect compile error: Type mismatch
f -> int:  // expect compile error: Method doesn't return a value
  print "x"
main:
  print (not-there)  // expect compile error: Unresolved identifier: 'not-there'
