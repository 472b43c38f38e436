// Checks %s (stringify, precision ignored) and %c (code point), with width counting code points.
main:
  print "[$(%5s "ab")]"
  print "[$(%.3s "abcdef")]"
  print "$(%c 65)$(%c 233)"
  print "[$(%3s "é")]"
  print "[$(%-3c 233)]"

// expect: [   ab]
// expect: [abcdef]
// expect: Aé
// expect: [  é]
// expect: [é  ]
