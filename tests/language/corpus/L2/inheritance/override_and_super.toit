// Checks method overriding and super calling the superclass's method.
class Account:
  owner /string
  constructor .owner:
  describe: return "$owner's account"
class Savings extends Account:
  constructor owner/string:
    super owner
  describe: return (super) + " (savings)"
main:
  print (Savings "Kim").describe
  print (Account "Lee").describe

// expect: Kim's account (savings)
// expect: Lee's account
