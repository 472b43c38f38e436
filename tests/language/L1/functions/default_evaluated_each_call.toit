calls := 0
next:
  calls++
  return calls

f x=next: return x

main:
  print (f)
  print (f)
  print (f 10)
  print (f)

// expect: 1
// expect: 2
// expect: 10
// expect: 3
