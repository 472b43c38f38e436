// Checks our choice: mutating a map while iterating over it throws.
main:
  m := {1: 1, 2: 2}
  e := catch:
    m.do: | k v | m[k + 10] = v
  print e != null

// expect: true
