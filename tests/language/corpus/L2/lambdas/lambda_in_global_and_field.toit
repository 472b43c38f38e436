// Checks that lambdas may be stored in globals and fields and called later.
handler := null
class Button:
  on-click := null
main:
  handler = :: "global $it"
  b := Button
  b.on-click = :: "field $it"
  print (handler.call 1)
  print (b.on-click.call 2)

// expect: global 1
// expect: field 2
