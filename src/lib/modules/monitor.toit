// The monitor module: Channel, Latch, Mutex, Semaphore, Signal. A task that
// must wait sleeps on the object's wait queue (await-on_) and is woken when
// another task changes the object (notify_), so waiting costs no CPU.

class Channel:
  capacity_ /int
  buffer_ := []
  constructor .capacity_=1:

  send value -> none:
    await-on_ this: buffer_.size < capacity_
    buffer_.add value
    notify_ this

  try-send value -> bool:
    if buffer_.size >= capacity_: return false
    buffer_.add value
    notify_ this
    return true

  receive:
    await-on_ this: not buffer_.is-empty
    value := buffer_.remove --at=0
    notify_ this
    return value

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
    notify_ this

  get:
    await-on_ this: has-value_
    return value_

class Mutex:
  locked_ := false

  do [block]:
    await-on_ this: not locked_
    locked_ = true
    try:
      return block.call
    finally:
      locked_ = false
      notify_ this

class Semaphore:
  count_ := 0
  constructor --count/int=0:
    count_ = count

  up -> none:
    count_++
    notify_ this

  down -> none:
    await-on_ this: count_ > 0
    count_--

class Signal:
  generation_ := 0

  raise -> none:
    generation_++
    notify_ this

  wait [condition] -> none:
    await-on_ this: condition.call
