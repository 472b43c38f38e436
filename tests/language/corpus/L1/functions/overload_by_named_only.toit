// Checks that two functions with the same name but different named parameters are distinct.
f --a: return "a=$a"
f --b: return "b=$b"
main:
  print (f --a=1)
  print (f --b=2)

// expect: a=1
// expect: b=2
