// Checks that continue.label targets the innermost call named label.
main:
  [1, 2].do: | i |
    [10, 20].do: | j |
      if j == 20: continue.do
      print i * j
    print "end $i"

// expect: 10
// expect: end 1
// expect: 20
// expect: end 2
