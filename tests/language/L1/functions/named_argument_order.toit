// Named arguments are evaluated in source order, whatever the declaration order.
show --a --b:
  print "$a $b"

trace x:
  print "eval $x"
  return x

main:
  show --b=(trace 2) --a=(trace 1)

// expect: eval 2
// expect: eval 1
// expect: 1 2
