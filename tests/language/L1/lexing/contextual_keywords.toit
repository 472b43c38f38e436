// interface, mixin, monitor, show, it are ordinary names outside their positions.
main:
  interface := 1
  show := 2
  it := 3
  print interface + show + it

// expect: 6
