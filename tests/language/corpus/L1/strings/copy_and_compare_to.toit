// Checks copy from to, compare-to and hash-code of equal strings.
main:
  print ("hello".copy 1 3)
  print ("abc".compare-to "abd") < 0
  print ("abd".compare-to "abc") > 0
  print ("abc".compare-to "abc")
  a := "x" + "yz"
  print a.hash-code == "xyz".hash-code

// expect: el
// expect: true
// expect: true
// expect: 0
// expect: true
