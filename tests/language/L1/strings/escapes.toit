main:
  print "a\tb"
  print "quote: \" backslash: \\ dollar: \$"
  print "\x41\u00e9\u{1F600}"
  print "nul:\0:end".size

// expect: a	b
// expect: quote: " backslash: \ dollar: $
// expect: Aé😀
// expect: 9
