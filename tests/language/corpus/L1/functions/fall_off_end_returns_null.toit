// Checks that falling off the end returns null, not the last expression's value.
f:
  42
id x: return x
main:
  print (id f)

// expect: null
