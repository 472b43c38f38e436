main:
  m := {:}
  for i := 0; i < 1000; i++: m["k$i"] = i
  for i := 0; i < 1000; i += 2: m.remove "k$i"
  print m.size
  print m["k999"]
  print (m.contains "k500")

// expect: 500
// expect: 999
// expect: false
