// Waits for a message nobody sends: idle, not spinning.
import messaging

main:
  print "waiting"
  messaging.receive
