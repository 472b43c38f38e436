// Allocates until its heap limit is reached.
main:
  print "leaking"
  kept := []
  while true:
    kept.add (List 64)
