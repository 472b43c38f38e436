// Checks that m[k] with an absent key throws "key 'k' not found".
main:
  m := {"a": 1}
  print (catch: m["zz"])

// expect: key 'zz' not found
