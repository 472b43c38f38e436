// Checks that finally runs on continue.
main:
  for i := 0; i < 2; i++:
    try:
      continue
    finally:
      print "f$i"

// expect: f0
// expect: f1
