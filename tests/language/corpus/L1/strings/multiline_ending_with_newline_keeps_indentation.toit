// Checks that m = 0 when the content ends with a newline directly before the closing quotes.
main:
  s := """
    a
    b
"""
  print s == "    a\n    b\n"

// expect: true
