// Checks if / else if / else.
classify n:
  if n < 0:
    return "negative"
  else if n == 0:
    return "zero"
  else:
    return "positive"
main:
  print (classify -5)
  print (classify 0)
  print (classify 5)

// expect: negative
// expect: zero
// expect: positive
