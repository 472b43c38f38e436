// Finished tasks' slots are reused: many short tasks in turn.
main:
  count := 0
  10_000.repeat:
    task:: count++
    yield
  print count

// expect: 10000
