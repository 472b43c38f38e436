// Checks optional positional parameters with defaults that refer to earlier ones.
area w h=w: return w * h
main:
  print (area 3)
  print (area 3 4)

// expect: 9
// expect: 12
