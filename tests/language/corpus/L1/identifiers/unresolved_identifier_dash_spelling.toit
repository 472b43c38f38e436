// Checks that a misspelled dashed identifier is unresolved (dash splits words, not letters).
main:
  foo-bar := 1
  print foobar  // expect compile error: Unresolved identifier: 'foobar'
