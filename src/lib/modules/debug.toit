// Test hooks for the container system; needs the `debug` capability.

// Spins in native code for ms milliseconds without reaching a preemption
// check; stops early (throwing "INTERRUPTED") when the watchdog asks.
spin --ms/int -> none:
  __prim__ "debug.spin" ms

// Like spin, but ignores the watchdog's request: only a VM reset ends it.
hang --ms/int -> none:
  __prim__ "debug.hang" ms
