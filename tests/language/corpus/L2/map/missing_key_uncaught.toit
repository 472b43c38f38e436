// Checks that an uncaught missing-key lookup reports the key.
main:
  m := {"a": 1}
  print m["nope"]

// expect runtime error: key 'nope' not found
