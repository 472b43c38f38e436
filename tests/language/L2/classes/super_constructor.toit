class Base:
  name /string
  constructor .name:

class Derived extends Base:
  extra /int
  constructor n/string .extra:
    super n

main:
  d := Derived "x" 3
  print "$d.name $d.extra"

// expect: x 3
