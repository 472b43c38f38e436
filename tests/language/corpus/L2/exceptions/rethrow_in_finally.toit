// Checks that rethrow in a finally clause re-throws the exception in flight.
main:
  e := catch:
    try:
      throw "inner"
    finally: | is-exc exc |
      if is-exc: rethrow exc.value exc.trace
  print e

// expect: inner
