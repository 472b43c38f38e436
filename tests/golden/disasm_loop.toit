// golden: disasm --method=main
main:
  sum := 0
  for i := 0; i < 10; i++:
    if i % 2 == 0: continue
    sum += i * i
  print "sum: $sum"
