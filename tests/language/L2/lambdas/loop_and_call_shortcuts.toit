// Counting loops whose condition the VM evaluates together with the
// increment, and lambda.call without the Lambda.call frame.
main:
  n := 7
  count := 0
  for i := 0; i < n; i++: count++
  print count
  for i := 0; i < 40000; i += 3: count++
  print count
  for i := 0; i < 3.5; i++: count++            // a float limit: the slow way
  print count
  limit := 10
  for i := 0; i < limit; i++:
    limit = limit - 1                          // the limit changes as we go
    count++
  print count
  for i := -70000; i < -69990; i++: count++
  print count
  j := 0
  while j < 5: j++
  print j

  add := :: | a b | a + b
  print (add.call 2 3)
  k := 100
  addk := :: | a | a + k
  print (addk.call 1)
  k = 5
  print (addk.call 1)
  print (add.call 1 2 3)                       // extra arguments are dropped
  none := :: 42
  print none.call
  e := catch: add.call 1
  print (e != null)

// expect: 7
// expect: 13341
// expect: 13345
// expect: 13350
// expect: 13360
// expect: 5
// expect: 5
// expect: 101
// expect: 6
// expect: 3
// expect: 42
// expect: true
