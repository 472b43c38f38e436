// Loops forever without a yield point: preempted by time slices, then
// stopped by its watchdog limit.
main:
  print "looping"
  x := 0
  while true:
    x++
