// Checks a string literal inside an interpolated expression.
main:
  print "<$("in" + "ner")>"

// expect: <inner>
