// Checks the common string escapes.
main:
  print "a\tb"
  print "quote: \" apostrophe: \' backslash: \\"
  print "dollar: \$x"
  print "line1\nline2"

// expect: a	b
// expect: quote: " apostrophe: ' backslash: \
// expect: dollar: $x
// expect: line1
// expect: line2
