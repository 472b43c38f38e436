// Checks that single and double quotes inside a multi-line string are content.
main:
  s := """say "hi" and 'bye'"""
  print s

// expect: say "hi" and 'bye'
