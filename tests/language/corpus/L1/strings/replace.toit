// Checks replace (first occurrence) and replace --all.
main:
  print ("a-b-c".replace "-" "+")
  print ("a-b-c".replace --all "-" "+")
  print ("abc".replace "x" "y")
  print ("aaa".replace --all "a" "bb")

// expect: a+b-c
// expect: a+b+c
// expect: abc
// expect: bbbbbb
