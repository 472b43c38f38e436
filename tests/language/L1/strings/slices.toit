main:
  s := "hello world"
  print s[0..5]
  print s[6..]
  print s[..5]
  print s[3..3].is-empty

// expect: hello
// expect: world
// expect: hello
// expect: true
