// The methods of a monitor run under a per-instance lock: a method that
// yields in the middle keeps other tasks out of the instance's methods
// (no lost update), but not out of another instance's.
monitor Account:
  balance := 0
  deposit n/int:
    old := balance
    sleep --ms=2
    balance = old + n

  wait-for n/int -> int:
    await: balance >= n
    return balance

main:
  a := Account
  b := Account
  order := []
  task::
    a.deposit 10
    order.add "a10"
  task::
    a.deposit 20
    order.add "a20"
  task::
    b.deposit 5
    order.add "b5"
  print (a.wait-for 30)
  sleep --ms=5
  print b.balance
  print order

// expect: 30
// expect: 5
// expect: [a10, b5, a20]
