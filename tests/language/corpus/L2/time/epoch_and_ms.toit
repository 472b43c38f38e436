// Checks Time.epoch, ms-since-epoch and adding a Duration.
main:
  t := Time.epoch --s=5
  print t.ms-since-epoch
  print (t + (Duration --ms=250)).ms-since-epoch

// expect: 5000
// expect: 5250
