main:
  msg := """
      Dear user,
        hello!
      """
  print msg.size
  print msg

// expect: 20
// expect: Dear user,
// expect:   hello!
// expect:
