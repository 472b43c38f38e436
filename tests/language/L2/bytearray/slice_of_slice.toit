// Slices of slices share the original bytes; copy detaches.
main:
  b := #[1, 2, 3, 4, 5]
  s := b[1..]
  t := s[1..3]
  t[0] = 30
  print b
  print t
  print t.to-string.size
  c := t.copy
  c[0] = 0
  print b[2]
  print (b[..2] + b[3..])
  print b[1..3] == #[2, 30]
  b.reverse
  print b
  m := {:}
  m[b[0..2]] = 1
  print m[#[5, 4]]

// expect: #[0x01, 0x02, 0x1e, 0x04, 0x05]
// expect: #[0x1e, 0x04]
// expect: 2
// expect: 30
// expect: #[0x01, 0x02, 0x04, 0x05]
// expect: true
// expect: #[0x05, 0x04, 0x1e, 0x02, 0x01]
// expect: 1
