// Checks filter and map on a list of strings.
main:
  words := ["apple", "kiwi", "banana"]
  print (words.filter: it.size > 4)
  print (words.map: it.size)

// expect: [apple, banana]
// expect: [5, 4, 6]
