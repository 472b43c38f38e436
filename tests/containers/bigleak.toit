// Keeps 5 KB buffers, each a large page of its own (5 units in a static pool), until out of memory.
main:
  kept := []
  while true:
    kept.add (ByteArray 5000)
