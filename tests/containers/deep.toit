// Recurses until its stack limit is reached.
down n/int -> int:
  return 1 + (down n + 1)

main:
  print "recursing"
  down 0
