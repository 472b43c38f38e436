main:
  print """"x""""
  print """a "quoted" word"""

// expect: "x"
// expect: a "quoted" word
