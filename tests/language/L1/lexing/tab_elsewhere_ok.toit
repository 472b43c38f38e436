// Tabs are fine outside the leading indentation.
main:
  print	1

// expect: 1
