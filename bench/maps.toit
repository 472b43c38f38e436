// A map with 100k string keys: insert, look up, update.
main:
  m := {:}
  for i := 0; i < 100000; i++: m["key$i"] = i
  sum := 0
  for i := 0; i < 100000; i += 3: sum += m["key$i"]
  for i := 0; i < 100000; i += 2: m["key$i"] = 0
  total := 0
  m.do: | k v | total += v
  print "$sum $total $m.size"
