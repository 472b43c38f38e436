// Checks user-defined getters and setters.
class Account:
  balance_ := 0
  balance -> int: return balance_
  balance= value/int: balance_ = value
main:
  a := Account
  a.balance = 100
  a.balance += 5
  print a.balance

// expect: 105
