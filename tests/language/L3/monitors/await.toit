monitor Box:
  value_ := null
  put v: value_ = v
  take:
    await: value_ != null
    return value_

main:
  b := Box
  task::
    sleep --ms=10
    b.put 42
  print b.take

// expect: 42
