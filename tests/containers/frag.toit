// Fills the heap with 3 KB buffers, one per page, drops every other one,
// then asks for one 20 KB buffer: the memory is there, but in 4 KB holes.
main:
  keep := []
  drop := []
  14.repeat:
    keep.add (ByteArray 3000)
    drop.add (ByteArray 3000)
  drop = []
  e := catch: ByteArray 20000
  print "kept $keep.size, big buffer: $(e ? e : "ok")"
