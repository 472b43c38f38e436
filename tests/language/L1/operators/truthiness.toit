check x:
  if x: return "truthy"
  return "falsy"

main:
  print (check 0)
  print (check 0.0)
  print (check "")
  print (check false)
  print (check null)

// expect: truthy
// expect: truthy
// expect: truthy
// expect: falsy
// expect: falsy
