// Checks a named block parameter.
get key [--if-absent]:
  return if-absent.call key
main:
  print (get "k" --if-absent=: "no $it")

// expect: no k
