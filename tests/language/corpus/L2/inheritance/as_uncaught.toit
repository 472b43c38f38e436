// Checks the VM message for a failed `as` check.
id x: return x
main:
  x := id "s"
  print (x as int)

// expect runtime error: As check failed
