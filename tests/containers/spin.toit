// Spins in native code without reaching a preemption check (debug hook).
import debug

main:
  print "spinning"
  debug.spin --ms=10000
