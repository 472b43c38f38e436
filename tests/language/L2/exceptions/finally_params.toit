main:
  catch:
    try:
      throw "BAD"
    finally: | is-exception exception |
      print is-exception
      print exception.value
  try:
    print "fine"
  finally: | is-exception exception |
    print is-exception
    print exception

// expect: true
// expect: BAD
// expect: fine
// expect: false
// expect: null
