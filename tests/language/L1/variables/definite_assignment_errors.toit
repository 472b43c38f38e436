// Reads of `?` locals not assigned on every path.
g flag:
  a := ?
  if flag: a = 1
  else if not flag: a = 2
  print a  // expect compile error: Local 'a' must be initialized before first use
  b := ?
  for i := 0; i < 3; i++: b = i
  print b  // expect compile error: Local 'b' must be initialized before first use
  c := ?
  while flag:
    c = 1
  print c  // expect compile error: Local 'c' must be initialized before first use
main:
  g true
