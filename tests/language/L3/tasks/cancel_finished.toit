// Canceling a finished task does nothing; task handles compare by task.
main:
  t := task:: print "ran"
  yield
  t.cancel
  print t.is-done
  print t.is-canceled
  print (t == t)
  me := Task.current
  print (me == Task.current)
  print (me == t)

// expect: ran
// expect: true
// expect: false
// expect: true
// expect: true
// expect: false
