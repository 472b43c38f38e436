main:
  print ("a-b-c".split "-")
  print ("a,b,,c".split ",")
  print ("a,b,,c".split "," --drop-empty)
  print ("k=v=w".split "=" --at-first)
  print (("a b c".split " ").join "+")

// expect: [a, b, c]
// expect: [a, b, , c]
// expect: [a, b, c]
// expect: [k, v=w]
// expect: a+b+c
