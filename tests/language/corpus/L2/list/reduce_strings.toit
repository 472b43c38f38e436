// Checks reduce on strings and that the first element is the initial value.
main:
  print (["a", "b", "c"].reduce: | acc x | acc + x)
  print ([7].reduce: | acc x | acc * 100)

// expect: abc
// expect: 7
