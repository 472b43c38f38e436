// Parenthesized blocks, mixed with a trailing one; a value after a block is an error.
three x [a] [b] [c]: return (c.call (b.call (a.call x)))
pick flag [yes] [no]: return flag ? yes.call : no.call
main:
  print (three 1 (: it + 1) (: it * 3): it - 1)
  print (pick true (: "y") (: "n"))
  print (pick false (: "y") (: "n"))
  print (pick (: "y") true (: "n"))  // expect compile error: Blocks must be after non-block arguments
