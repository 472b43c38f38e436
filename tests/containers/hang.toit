// Hangs in native code and ignores the watchdog's request (debug hook).
import debug

main:
  print "hanging"
  debug.hang --ms=10000
