classify n/int -> string:
  if n < 0:
    return "negative"
  else if n == 0:
    return "zero"
  else:
    return "positive"

main:
  print (classify -5)
  print (classify 0)
  print (classify 3)

// expect: negative
// expect: zero
// expect: positive
