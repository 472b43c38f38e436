class Color:
  name /string
  constructor .name:
  constructor.red:
    name = "red"

main:
  print (Color "blue").name
  print Color.red.name

// expect: blue
// expect: red
