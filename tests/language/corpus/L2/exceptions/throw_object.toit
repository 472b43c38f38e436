// Checks that any object can be thrown and caught.
class E:
  code /int
  constructor .code:
  stringify: return "E$code"
main:
  e := catch: throw (E 3)
  print e
  print (e is E)

// expect: E3
// expect: true
