class Greeter:
  name := "Ann"
  greeter: return :: "hi $name"

main:
  g := Greeter
  f := g.greeter
  g.name = "Bo"
  print f.call

// expect: hi Bo
