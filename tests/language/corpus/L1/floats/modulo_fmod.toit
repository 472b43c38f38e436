// Checks that float % uses truncated (fmod) semantics.
main:
  print 5.5 % 2
  print -5.5 % 2
  print 5.5 % -2

// expect: 1.5
// expect: -1.5
// expect: 1.5
