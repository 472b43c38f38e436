// Checks that `obj.x += v` calls the getter then the setter.
class C:
  v_ := 1
  x:
    print "get"
    return v_
  x= value:
    print "set $value"
    v_ = value
main:
  c := C
  c.x += 2
  print c.x

// expect: get
// expect: set 3
// expect: get
// expect: 3
