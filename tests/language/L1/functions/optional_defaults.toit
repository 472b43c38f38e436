area w h=w:
  return w * h

greet name="world": print "hi $name"

main:
  print (area 3)
  print (area 3 4)
  greet
  greet "you"

// expect: 9
// expect: 12
// expect: hi world
// expect: hi you
