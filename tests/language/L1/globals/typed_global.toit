name /string := "x"
count /int := 0

main:
  count += 2
  print "$name$count"

// expect: x2
