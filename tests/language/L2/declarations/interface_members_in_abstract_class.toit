// An abstract class may call the members of the interfaces it implements
// (also through an interface it extends); subclasses supply them.
interface HasSize:
  size -> int
interface Sized extends HasSize:
  unit -> string
abstract class Base implements Sized:
  describe: return "$size $unit"
class Box extends Base:
  size -> int: return 4
  unit -> string: return "cm"
main:
  print (Box).describe

// expect: 4 cm
