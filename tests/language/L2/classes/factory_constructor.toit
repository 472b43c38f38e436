class Shape:
  kind /string
  constructor.internal_ .kind:
  constructor kind/string:
    return Shape.internal_ "made $kind"

main:
  print (Shape "square").kind

// expect: made square
