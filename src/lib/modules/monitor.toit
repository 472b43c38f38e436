// The monitor module: Channel, Latch, Mutex, Semaphore, Signal. A waiting
// task sleeps (`await`) until another task has run, then checks again.

class Channel:
  capacity_ /int
  buffer_ := []
  constructor .capacity_=1:

  send value -> none:
    await: buffer_.size < capacity_
    buffer_.add value

  try-send value -> bool:
    if buffer_.size >= capacity_: return false
    buffer_.add value
    return true

  receive:
    await: not buffer_.is-empty
    return buffer_.remove --at=0

  receive --blocking/bool:
    if not blocking and buffer_.is-empty: return null
    return receive

  size -> int: return buffer_.size

class Latch:
  has-value_ := false
  value_ := null

  set value -> none:
    value_ = value
    has-value_ = true

  get:
    await: has-value_
    return value_

class Mutex:
  locked_ := false

  do [block]:
    await: not locked_
    locked_ = true
    try:
      return block.call
    finally:
      locked_ = false

class Semaphore:
  count_ := 0
  constructor --count/int=0:
    count_ = count

  up -> none: count_++

  down -> none:
    await: count_ > 0
    count_--

class Signal:
  generation_ := 0

  raise -> none: generation_++

  wait [condition] -> none:
    await: condition.call
