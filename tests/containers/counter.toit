// Counts its own starts through messages to the logger; exits with 3 so
// that the restart policy restarts it.
import messaging

main:
  messaging.send "logger" "counter started"
  exit 3
