// Checks an abstract mixin whose abstract member the class implements.
abstract mixin Greeter:
  greet: return "hi from $name"
  abstract name -> string
class Person extends Object with Greeter:
  name -> string: return "Eve"
main:
  print (Person).greet

// expect: hi from Eve
