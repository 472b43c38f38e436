// Checks that `this` may be passed to other functions in the dynamic part.
registry := []
class Item:
  name /string
  constructor .name:
    registry.add this
main:
  Item "a"
  Item "b"
  print (registry.map: it.name)

// expect: [a, b]
