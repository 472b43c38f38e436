// Checks the error for a name that is not defined anywhere.
main:
  print undefined-thing  // expect compile error: Unresolved identifier: 'undefined-thing'
