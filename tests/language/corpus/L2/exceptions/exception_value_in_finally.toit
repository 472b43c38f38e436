// Checks that the finally exception object carries the thrown value and a trace.
main:
  catch:
    try:
      throw "V"
    finally: | is-exc e |
      print e.value
      print (e.trace != null)

// expect: V
// expect: true
