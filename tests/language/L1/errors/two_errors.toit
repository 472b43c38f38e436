// The compiler reports independent errors in one run.
main:
  print undefined-one  // expect compile error: Unresolved identifier: 'undefined-one'
  print undefined-two  // expect compile error: Unresolved identifier: 'undefined-two'
