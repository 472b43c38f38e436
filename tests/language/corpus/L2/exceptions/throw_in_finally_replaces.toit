// Checks that a throw inside finally replaces the exception in flight.
main:
  e := catch:
    try:
      throw "first"
    finally:
      throw "second"
  print e

// expect: second
