// The monitor module: Channel, Latch, Mutex, Semaphore, Signal. Waiting
// tasks yield until they can go on (cooperative scheduling).

class Channel:
  capacity_ /int
  buffer_ := []
  constructor .capacity_=1:

  send value -> none:
    while buffer_.size >= capacity_: yield
    buffer_.add value

  try-send value -> bool:
    if buffer_.size >= capacity_: return false
    buffer_.add value
    return true

  receive:
    while buffer_.is-empty: yield
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
    while not has-value_: yield
    return value_

class Mutex:
  locked_ := false

  do [block]:
    while locked_: yield
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
    while count_ == 0: yield
    count_--

class Signal:
  generation_ := 0

  raise -> none: generation_++

  wait [condition] -> none:
    while not condition.call: yield
