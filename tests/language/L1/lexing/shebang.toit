#!/usr/bin/env toit
// A first line starting with #! is ignored.
main:
  print "ok"

// expect: ok
