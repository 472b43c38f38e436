// Checks keys, values and the do variants, all in insertion order.
main:
  m := {"z": 1, "a": 2}
  print m.keys
  print m.values
  m.do: | k v | print "$k=$v"
  m.do --keys: print it
  m.do --values: print it

// expect: [z, a]
// expect: [1, 2]
// expect: z=1
// expect: a=2
// expect: z
// expect: a
// expect: 1
// expect: 2
