// Checks required and optional named parameters in any position.
greet name --greeting="Hello" --punct="!":
  return "$greeting, $name$punct"
main:
  print (greet "Ada")
  print (greet --greeting="Hi" "Bob")
  print (greet "Cy" --punct="?" --greeting="Yo")

// expect: Hello, Ada!
// expect: Hi, Bob!
// expect: Yo, Cy?
