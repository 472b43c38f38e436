// Uses a primitive module it was not granted (--caps=none: no time).
main:
  print "asking the time"
  print Time.now
