// Checks that string + a non-string value is a runtime error.
id x: return x
main:
  print "a" + "b"
  print (catch: "a" + (id 3)) != null

// expect: ab
// expect: true
