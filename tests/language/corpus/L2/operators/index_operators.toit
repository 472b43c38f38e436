// Checks operator [], []= (also through +=) and [..] with default bounds.
class Grid:
  data := [0, 0, 0, 0]
  operator [] i: return data[i]
  operator []= i v: data[i] = v
  operator [..] --from=0 --to=4: return data[from..to].copy
main:
  g := Grid
  g[1] = 9
  g[2] += 5
  print g[1]
  print g[2]
  print g[1..3]
  print g[..2]

// expect: 9
// expect: 5
// expect: [9, 5]
// expect: [0, 9]
