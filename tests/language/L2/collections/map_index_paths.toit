// The Map's hash index: int and string keys are probed and rebuilt in C,
// other keys in Toit; both must agree through growth and removals.

class Key:
  id/int
  constructor .id:
  hash-code -> int: return id % 3
  operator == other -> bool: return other is Key and other.id == id
  stringify -> string: return "K$id"

main:
  m := {:}
  for i := 0; i < 100; i++: m["k$i"] = i
  for i := 0; i < 100; i += 2: m.remove "k$i"
  for i := 0; i < 100; i++: m["n$i"] = i   // grows past the tombstones
  print m.size
  print m["k51"]
  print (m.get "k50")
  print m["n99"]
  m["k51"] = -1
  print m["k51"]

  // A user-defined key: the C probe hands the key to the Toit code.
  mixed := {:}
  mixed[1] = "one"
  mixed["two"] = 2
  mixed[Key 7] = "seven"
  for i := 0; i < 20; i++: mixed[Key i] = i   // rebuilt in Toit, collisions
  mixed[3] = "three"
  print mixed.size
  print mixed[Key 7]
  print mixed[1]
  print mixed["two"]
  print mixed[3]
  mixed.remove (Key 7)
  print (mixed.contains (Key 7))
  print (mixed.contains (Key 8))
  keys := []
  mixed.do: | k v | if k is Key and k.id < 3: keys.add k
  print keys

  // Large ints and small ints with the same value are the same key.
  big := {:}
  big[0x7fff_ffff_ffff] = "big"
  big[5] = "five"
  print big[0x7fff_ffff_ffff]
  print big[2 + 3]
  e := catch: big[6]
  print e

// expect: 150
// expect: 51
// expect: null
// expect: 99
// expect: -1
// expect: 23
// expect: 7
// expect: one
// expect: 2
// expect: three
// expect: false
// expect: true
// expect: [K0, K1, K2]
// expect: big
// expect: five
// expect: key '6' not found
