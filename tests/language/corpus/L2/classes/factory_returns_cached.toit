// Checks that a factory may return the same cached instance.
class Color:
  static cache_ := {:}
  name /string
  constructor.internal_ .name:
  constructor name/string:
    return cache_.get name --init=: Color.internal_ name
main:
  a := Color "red"
  b := Color "red"
  print (identical a b)
  print a.name

// expect: true
// expect: red
