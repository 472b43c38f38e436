// Overlapping method shapes in one class are a compile error.
class A:
  m x --flag=false: return 1
  m x: return 2  // expect compile error: overlaps
main:
  print (A).m 1
