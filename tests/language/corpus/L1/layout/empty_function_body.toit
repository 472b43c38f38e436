// Checks that an empty declaration body is allowed and returns null.
nothing:
id x: return x
main:
  print (id nothing)

// expect: null
