show x/int?:
  print (x == null ? "none" : "$x")

main:
  show null
  show 4

// expect: none
// expect: 4
