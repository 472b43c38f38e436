interface Named:
  name -> string

class Cat implements Named:
  name -> string: return "cat"

class Rock:

describe x/Named: return x.name

main:
  print (Cat is Named)
  print (Rock is Named)
  print (describe Cat)
  print (catch: Rock as Named)

// expect: true
// expect: false
// expect: cat
// expect: AS_CHECK_FAILED
