main:
  3.repeat: | id |
    task::
      2.repeat:
        print "t$id-$it"
        yield

// expect: t0-0
// expect: t1-0
// expect: t2-0
// expect: t0-1
// expect: t1-1
// expect: t2-1
