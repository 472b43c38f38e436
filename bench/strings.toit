// Build, interpolate, split and join strings.
main:
  total := 0
  for round := 0; round < 2000; round++:
    parts := []
    for i := 0; i < 50; i++: parts.add "item-$i:$(i * round)"
    line := parts.join ","
    fields := line.split ","
    total += fields.size + line.size
  print total
