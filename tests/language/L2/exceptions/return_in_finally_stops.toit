f:
  try:
    throw "LOST"
  finally:
    return "recovered"

main:
  print f

// expect: recovered
