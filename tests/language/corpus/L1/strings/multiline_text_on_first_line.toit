// Checks that text right after the opening quotes is a line with indentation 0.
main:
  s := """foo
    bar"""
  print s == "foo\n    bar"

// expect: true
