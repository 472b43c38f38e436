// Checks substring slices with both, only-start and only-end bounds.
main:
  s := "hello"
  print s[1..3]
  print s[2..]
  print s[..2]
  print s[0..5]
  print "[$(s[5..])]"

// expect: el
// expect: llo
// expect: he
// expect: hello
// expect: []
