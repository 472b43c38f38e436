// Checks the TimeInfo fields of t.utc.
main:
  info := (Time.epoch --s=90061).utc
  print info.year
  print info.month
  print info.day
  print info.h
  print info.m
  print info.s

// expect: 1970
// expect: 1
// expect: 2
// expect: 1
// expect: 1
// expect: 1
