// Checks that interfaces may have static members with bodies.
interface Animal:
  name -> string
  static create -> Animal: return Dog
class Dog implements Animal:
  name -> string: return "dog"
main:
  print Animal.create.name

// expect: dog
