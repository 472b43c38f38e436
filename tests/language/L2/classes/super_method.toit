class Base:
  greet: return "hello"

class Derived extends Base:
  greet: return (super) + " world"

main:
  print (Derived).greet

// expect: hello world
