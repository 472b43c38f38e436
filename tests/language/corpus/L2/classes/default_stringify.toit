// Checks our choice for the default stringify: `an instance of ClassName`.
class Thing:
main:
  t := Thing
  print t
  print "<$t>"

// expect: an instance of Thing
// expect: <an instance of Thing>
