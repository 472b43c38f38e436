// Checks that update on an absent key without defaults throws.
main:
  m := {:}
  e := catch: m.update "x": it + 1
  print e != null
  print m.is-empty

// expect: true
// expect: true
