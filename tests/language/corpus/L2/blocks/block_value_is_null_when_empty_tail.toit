// Checks that a block whose last statement is a none call yields null.
nothing: return
run [b]: return b.call
main:
  print (run: nothing)

// expect: null
