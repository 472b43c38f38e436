value: return 2.5

main:
  x /int := 1
  x = value

// expect runtime error: As check failed: a float (2.5) is not a int.
