main:
  m := {1: 1}
  print (catch: m.do: | k v | m[k + 1] = 0)

// expect: CONCURRENT_MODIFICATION
