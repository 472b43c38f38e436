inner n:
  if n == 0: throw "DEEP_ERROR"
  return inner n - 1

main:
  print "start"
  inner 3
