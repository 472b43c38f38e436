// If a global is assigned before it is read, the initializer never runs.
side-effect:
  print "never"
  return 1

G := side-effect

main:
  G = 5
  print G

// expect: 5
