// Checks that a block cannot be interpolated.
f [b]:
  print "$b"  // expect compile error:
main:
  f: 1
