// Sends values of every kind to pong and prints the replies.
import messaging

main:
  values := [null, true, 42, -7_000_000_000_000, 1.5, "héllo", ["nested", [1, 2]], #[1, 2, 255],
            {"a": 1, "b": [2, {"c": null}]}]
  values.do: | v |
    while not (messaging.send "pong" v): sleep --ms=1
    reply := messaging.receive
    print "$reply.sender replied $reply.value"
  // Values that can't be copied are refused in the sender.
  e := catch: messaging.send "pong" (:: it)
  print "lambda: $e"
  e = catch: messaging.send "nobody" 1
  print "nobody: $e"
  e = catch: messaging.send "pong" ("x" * 20000)
  print "large: $e"
  messaging.send "pong" "stop"
