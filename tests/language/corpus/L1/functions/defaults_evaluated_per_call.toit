// Checks that default values are evaluated at each call, after supplied arguments, in order.
counter := 0
next:
  counter++
  return counter
f a=next b=next: return "$a $b"
main:
  print (f)
  print (f)
  print (f 100)

// expect: 1 2
// expect: 3 4
// expect: 100 5
