// Checks $obj.getter chains in interpolation.
class P:
  name := "pat"
  upper: return name.to-ascii-upper
main:
  p := P
  print "$p.name/$p.upper"

// expect: pat/PAT
