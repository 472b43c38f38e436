// Messages between containers: a value is copied from the sender's heap
// into the receiver's (null, bool, int, float, string, ByteArray, and Lists
// and Maps of those). Needs the `message` capability.

// The name of this container ("" when the program runs alone).
self -> string:
  return __prim__ "message.self"

// Sends value to the container named to. Returns false if its mailbox is
// full; throws "NO_SUCH_CONTAINER" if no such container runs,
// "MESSAGE_NOT_SENDABLE" for other values and "MESSAGE_TOO_LARGE" beyond
// 16 KB.
send to/string value -> bool:
  return __prim__ "message.send" to (flatten_ value)

// Maps travel as raw arrays of keys and values (a program never holds a
// raw array itself, so the receiver knows them).
flatten_ value:
  if value is Map:
    map := value as Map
    array := __prim__ "array.new" map.size * 2
    i := 0
    map.do: | k v |
      __prim__ "array.at-put" array i (flatten_ k)
      __prim__ "array.at-put" array i + 1 (flatten_ v)
      i += 2
    return array
  if value is List:
    list := value as List
    if not (list.any: it is Map or it is List): return list
    return list.map: flatten_ it
  return value

unflatten_ value:
  if value is Array_:
    map := {:}
    n := __prim__ "array.size" value
    for i := 0; i < n; i += 2:
      map[unflatten_ (__prim__ "array.at" value i)] = unflatten_ (__prim__ "array.at" value i + 1)
    return map
  if value is List:
    list := value as List
    list.size.repeat: list[it] = unflatten_ list[it]
  return value

// A received message: who sent it and the value.
class Message:
  sender /string
  value := ?
  constructor .sender .value:

// The next message. Blocks until one arrives (a yield point), unless
// --no-blocking is given: then null if none is waiting.
receive --blocking/bool=true -> Message?:
  while (__prim__ "message.count") == 0:
    if not blocking: return null
    __prim__ "message.wait"
  if (__prim__ "message.count") < 0: keep-classes_
  pair := __prim__ "message.take"
  return Message (__prim__ "array.at" pair 0) (unflatten_ (__prim__ "array.at" pair 1))

// Received values are made by the VM, which the compiler's reachability
// analysis does not see: this (never run) keeps their classes' methods in
// the image.
keep-classes_ -> none:
  print [ByteArray 0, 1.5, 0x7fff_ffff_ffff_ffff, "", true, null, {:}]
