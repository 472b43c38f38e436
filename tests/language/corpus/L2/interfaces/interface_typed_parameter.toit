// Checks that an interface type annotation accepts implementors and rejects others.
interface Named:
  name -> string
class A implements Named:
  name -> string: return "a"
class B:
show x/Named: return x.name
id x: return x
main:
  print (show A)
  print (catch: show (id B))

// expect: a
// expect: AS_CHECK_FAILED
