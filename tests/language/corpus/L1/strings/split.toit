// Checks split, including empty parts, --at-first and --drop-empty.
main:
  print ("a,b,c".split ",")
  print ("a,,b".split ",")
  print ("a,,b".split "," --drop-empty)
  print ("a,b,c".split "," --at-first)
  print ("abc".split ",")
  print ("a,b,c".split ",").size

// expect: [a, b, c]
// expect: [a, , b]
// expect: [a, b]
// expect: [a, b,c]
// expect: [abc]
// expect: 3
