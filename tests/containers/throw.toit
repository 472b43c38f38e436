// Throws an error nobody catches, from a task.
helper:
  throw "SENSOR_BROKEN"

main:
  print "throwing"
  task:: helper
