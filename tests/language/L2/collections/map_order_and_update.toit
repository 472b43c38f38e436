main:
  m := {:}
  m[3] = "c"
  m[1] = "a"
  m[2] = "b"
  m[3] = "C"
  m.do: | k v | print "$k=$v"
  m.update 1: it + "!"
  print m[1]
  print (m.get 9 --init=: "new")
  print m.size

// expect: 3=C
// expect: 1=a
// expect: 2=b
// expect: a!
// expect: new
// expect: 4
