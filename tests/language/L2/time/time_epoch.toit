main:
  print (Time.epoch --s=0)
  print (Time.epoch --s=1700000000)
  t := Time.epoch --s=86400 * 366
  i := t.utc
  print "$i.year $i.month $i.day"
  print ((Time.epoch --s=10).to (Time.epoch --s=70))
  print (Time.epoch --ms=1500).ms-since-epoch

// expect: 1970-01-01T00:00:00Z
// expect: 2023-11-14T22:13:20Z
// expect: 1971 1 2
// expect: 1m0s
// expect: 1500
