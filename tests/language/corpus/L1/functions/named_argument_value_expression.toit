// Checks that --name=expr takes a level-6 expression (e.g. a parenthesized or postfix expression).
f --n: return n
main:
  list := [1, 2, 3]
  print (f --n=list.size)
  print (f --n=(1 + 2))
  print (f --n=list[2])

// expect: 3
// expect: 3
// expect: 3
