main:
  x := if 3 > 2: "yes" else: "no"
  print x
  y := if false: 1
  print y
  print (if true: 7 else: 8)

// expect: yes
// expect: null
// expect: 7
