get-value: return "text"

main:
  x /int := get-value
  print x

// expect runtime error: As check failed: a string ("text") is not a int.
