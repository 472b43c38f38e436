// rethrow keeps the original trace and value; catch --unwind with a
// predicate that throws, with --trace, and nested; globals retried.
class Err:
  code := 0
  constructor .code:
  stringify: return "Err $code"

count := 0
G := compute
compute:
  count++
  if count < 3: throw (Err count)
  return count

main:
  e := catch:
    try:
      throw (Err 7)
    finally: | is-exc exc |
      if is-exc: rethrow exc.value exc.trace
  print e
  print (e is Err)
  x := catch:  // a throwing predicate replaces the exception
    catch --unwind=(: throw "in predicate"):
      throw "original"
  print x
  y := catch --trace --unwind=(: false):
    throw "kept"
  print y
  z := catch:
    catch --unwind=(: it is Err):
      throw (Err 1)
    print "not reached"
  print z
  print (catch: G)
  print (catch: G)
  print G
  print (catch: rethrow "no trace" null)

// expect: Err 7
// expect: true
// expect: in predicate
// expect: kept
// expect: Err 1
// expect: Err 1
// expect: Err 2
// expect: 3
// expect: no trace
