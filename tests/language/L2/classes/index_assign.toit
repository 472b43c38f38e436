class Grid:
  cells := [0, 0, 0]
  operator [] i: return cells[i]
  operator []= i v: cells[i] = v

main:
  g := Grid
  g[1] = 7
  g[1] += 1
  print g[1]

// expect: 8
