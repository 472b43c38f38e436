// An uncaught object thrown deep in calls: its stringify and the frames.
class Oops:
  n := 0
  constructor .n:
  stringify: return "Oops #$n"
deep n:
  if n == 0: throw (Oops 42)
  deep n - 1
main:
  deep 3

// expect runtime error: Oops #42
