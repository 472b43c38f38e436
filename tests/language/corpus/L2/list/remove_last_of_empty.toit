// Checks that remove-last on an empty list is an error.
main:
  print (catch: [].remove-last) != null

// expect: true
