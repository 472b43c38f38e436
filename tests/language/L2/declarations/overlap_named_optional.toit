// Optional named parameters make shapes overlap when nothing else differs.
g --a=1: return "a"
g --b=2: return "b"  // expect compile error: overlaps
main:
  print g
