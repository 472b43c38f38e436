// Checks that two independent unresolved identifiers are both reported.
main:
  print undefined-a  // expect compile error: Unresolved identifier: 'undefined-a'
  print 1
  print undefined-b  // expect compile error: Unresolved identifier: 'undefined-b'
