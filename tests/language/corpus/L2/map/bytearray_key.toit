// Checks that ByteArrays can be map keys, compared by content.
main:
  m := {:}
  m[#[1, 2]] = "x"
  print m[#[1, 2]]

// expect: x
