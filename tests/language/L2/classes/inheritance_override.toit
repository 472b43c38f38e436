class Animal:
  speak: return "..."
  describe: return "I say $speak"

class Dog extends Animal:
  speak: return "woof"

main:
  print (Animal).describe
  print (Dog).describe

// expect: I say ...
// expect: I say woof
