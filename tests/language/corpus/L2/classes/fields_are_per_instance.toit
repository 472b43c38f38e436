// Checks that each instance has its own fields while statics are shared.
class C:
  static shared := 0
  own := 0
  bump:
    own++
    shared++
main:
  a := C
  b := C
  a.bump
  a.bump
  b.bump
  print a.own
  print b.own
  print C.shared

// expect: 2
// expect: 1
// expect: 3
