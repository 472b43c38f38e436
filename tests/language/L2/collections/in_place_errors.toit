// List in-place variants on slices, empty lists, and a throwing block.
main:
  l := [1, 2, 3, 4, 5]
  l[1..4].map --in-place: it * 10
  print l
  e := []
  e.filter --in-place: true
  print e
  print (catch: l.map --in-place: if it > 20: throw "stop" else: it)
  print l
  print (catch: l[1..3].filter --in-place: it > 20)
  print (catch: "ab".do: | a b | a)

// expect: [1, 20, 30, 40, 5]
// expect: []
// expect: stop
// expect: [1, 20, 30, 40, 5]
// expect: SLICE_CANNOT_GROW
// expect: CODE_INVOCATION_FAILED
