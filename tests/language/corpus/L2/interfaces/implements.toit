// Checks an interface with two implementing classes.
interface Animal:
  speak -> string
class Dog implements Animal:
  speak -> string: return "woof"
class Cat implements Animal:
  speak -> string: return "meow"
main:
  [Dog, Cat].do: | a/Animal | print a.speak
  print (Dog is Animal)

// expect: woof
// expect: meow
// expect: true
