// Checks that nested finally clauses run innermost first.
main:
  catch:
    try:
      try:
        throw "x"
      finally:
        print "inner"
    finally:
      print "outer"
  print "done"

// expect: inner
// expect: outer
// expect: done
