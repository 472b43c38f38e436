// Receives messages from other containers and prints them.
import messaging

main:
  4.repeat:
    m := messaging.receive
    print "$m.sender: $m.value"
