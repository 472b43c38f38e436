// A method that throws releases the lock; so does a canceled waiter.
monitor Gate:
  open_ := false
  fail: throw "BROKEN"
  open: open_ = true
  pass -> string:
    await: open_
    return "passed"

main:
  g := Gate
  print (catch: g.fail)
  t := task:: g.pass
  yield
  t.cancel
  yield
  g.open
  print g.pass

// expect: BROKEN
// expect: passed
