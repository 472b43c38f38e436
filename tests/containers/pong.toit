// Echoes what it gets, described, until "stop".
import messaging

describe v -> string:
  if v is List: return "list of $v.size: $v"
  if v is ByteArray: return "bytes of $v.size"
  if v is Map: return "map of $v.size: $v"
  return "$v"

main:
  while true:
    m := messaging.receive
    if m.value == "stop": return
    messaging.send m.sender (describe m.value)
