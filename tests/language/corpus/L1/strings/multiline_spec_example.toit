// Checks the multi-line example of §2.10: the closing line's spaces count.
main:
  msg := """
      Dear user,
        hello!
      """
  print msg
  print msg == "Dear user,\n  hello!\n"

// expect: Dear user,
// expect:   hello!
// expect:
// expect: true
