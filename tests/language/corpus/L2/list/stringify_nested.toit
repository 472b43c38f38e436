// Checks the stringify of nested lists with strings (not quoted) and null.
main:
  print [[1, 2], ["a", null], []]

// expect: [[1, 2], [a, null], []]
