// The n-body simulation (floats, field access).

class Body:
  x := 0.0
  y := 0.0
  z := 0.0
  vx := 0.0
  vy := 0.0
  vz := 0.0
  mass := 0.0
  constructor .x .y .z .vx .vy .vz .mass:

PI ::= 3.141592653589793
SOLAR-MASS ::= 4 * PI * PI
DAYS ::= 365.24

energy bodies/List -> float:
  e := 0.0
  n := bodies.size
  for i := 0; i < n; i++:
    b := bodies[i]
    e += 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz)
    for j := i + 1; j < n; j++:
      c := bodies[j]
      dx := b.x - c.x
      dy := b.y - c.y
      dz := b.z - c.z
      e -= b.mass * c.mass / (dx * dx + dy * dy + dz * dz).sqrt
  return e

advance bodies/List dt/float -> none:
  n := bodies.size
  for i := 0; i < n; i++:
    b := bodies[i]
    for j := i + 1; j < n; j++:
      c := bodies[j]
      dx := b.x - c.x
      dy := b.y - c.y
      dz := b.z - c.z
      d2 := dx * dx + dy * dy + dz * dz
      mag := dt / (d2 * d2.sqrt)
      b.vx -= dx * c.mass * mag
      b.vy -= dy * c.mass * mag
      b.vz -= dz * c.mass * mag
      c.vx += dx * b.mass * mag
      c.vy += dy * b.mass * mag
      c.vz += dz * b.mass * mag
  for i := 0; i < n; i++:
    b := bodies[i]
    b.x += dt * b.vx
    b.y += dt * b.vy
    b.z += dt * b.vz

main:
  bodies := [
    Body 0.0 0.0 0.0 0.0 0.0 0.0 SOLAR-MASS,
    Body 4.84143144246472090e+00 -1.16032004402742839e+00 -1.03622044471123109e-01 (1.66007664274403694e-03 * DAYS) (7.69901118419740425e-03 * DAYS) (-6.90460016972063023e-05 * DAYS) (9.54791938424326609e-04 * SOLAR-MASS),
    Body 8.34336671824457987e+00 4.12479856412430479e+00 -4.03523417114321381e-01 (-2.76742510726862411e-03 * DAYS) (4.99852801234917238e-03 * DAYS) (2.30417297573763929e-05 * DAYS) (2.85885980666130812e-04 * SOLAR-MASS),
    Body 1.28943695621391310e+01 -1.51111514016986312e+01 -2.23307578892655734e-01 (2.96460137564761618e-03 * DAYS) (2.37847173959480950e-03 * DAYS) (-2.96589568540237556e-05 * DAYS) (4.36624404335156298e-05 * SOLAR-MASS),
    Body 1.53796971148509165e+01 -2.59193146099879641e+01 1.79258772950371181e-01 (2.68067772490389322e-03 * DAYS) (1.62824170038242295e-03 * DAYS) (-9.51592254519715870e-05 * DAYS) (5.15138902046611451e-05 * SOLAR-MASS),
  ]
  px := 0.0
  py := 0.0
  pz := 0.0
  bodies.do:
    px += it.vx * it.mass
    py += it.vy * it.mass
    pz += it.vz * it.mass
  sun := bodies[0]
  sun.vx = -px / SOLAR-MASS
  sun.vy = -py / SOLAR-MASS
  sun.vz = -pz / SOLAR-MASS
  print "$(%.9f energy bodies)"
  100000.repeat: advance bodies 0.01
  print "$(%.9f energy bodies)"
