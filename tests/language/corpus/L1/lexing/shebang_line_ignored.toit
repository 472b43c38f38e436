#!/usr/bin/env toit
// Checks that a first line starting with #! is ignored.
main:
  print "ok"

// expect: ok
