// Line, block and nested block comments are whitespace.
main:
  /* a block /* nested */ comment */
  print 1 // trailing
  /// doc comment
  /** doc block */
  print 2

// expect: 1
// expect: 2
