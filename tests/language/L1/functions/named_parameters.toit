greet name/string --greeting/string="Hello" --shout/bool=false:
  msg := "$greeting, $name!"
  print (shout ? msg.to-ascii-upper : msg)

main:
  greet "Ada"
  greet "Bob" --greeting="Hi"
  greet --shout "Cy"
  greet "Di" --no-shout --greeting="Bye"

// expect: Hello, Ada!
// expect: Hi, Bob!
// expect: HELLO, CY!
// expect: Bye, Di!
