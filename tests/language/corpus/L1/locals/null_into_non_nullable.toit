// Checks that storing null into a non-nullable typed local fails at run time.
get-null: return null
main:
  x /string := "s"
  x = get-null
  print x

// expect runtime error: As check failed
