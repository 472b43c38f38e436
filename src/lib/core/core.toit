// The core library: compiled into every image. Classes whose names the
// compiler knows (Object, Null_, bool, num, int, SmallInteger_,
// LargeInteger_, float, string, Array_, ByteArray, List, Lambda, Box_,
// Stack_, Task_, Absent_, Exception_) get their object layouts from the VM.
// `__prim__ "module.name" args` calls a C primitive (core library only).

class Object:
  operator == other:
    return identical this other

  stringify -> string:
    return __prim__ "object.stringify" this

class Null_:
  stringify -> string:
    return "null"

class bool:
  stringify -> string:
    if identical this true: return "true"
    return "false"

class Absent_:

class Box_:
  value := null

class Stack_:

class Task_:

// A lambda: its method and the values it captured (see CREATE_LAMBDA).
class Lambda:
  method_ := 0
  captures_ := null

  call: return __call_lambda__ this
  call a: return __call_lambda__ this a
  call a b: return __call_lambda__ this a b
  call a b c: return __call_lambda__ this a b c
  call a b c d: return __call_lambda__ this a b c d

  stringify -> string:
    return "lambda"

class Exception_:
  value := null
  trace := null
  constructor .value .trace:

  stringify -> string:
    return "$value"

make-exception_ reason value trace:
  if reason == -2: return Exception_ value trace
  return null

abstract class num:
  abstract operator + other
  abstract operator - other
  abstract operator * other
  abstract operator / other
  abstract operator < other
  abstract operator <= other
  abstract operator > other
  abstract operator >= other
  abstract to-int -> int
  abstract to-float -> float

abstract class int extends num:
  static MAX ::= 0x7FFF_FFFF_FFFF_FFFF
  static MIN ::= 0x8000_0000_0000_0000

  operator + other: return __prim__ "int.add" this other
  operator - other: return __prim__ "int.sub" this other
  operator * other: return __prim__ "int.mul" this other
  operator / other: return __prim__ "int.div" this other
  operator % other: return __prim__ "int.mod" this other
  operator == other: return __prim__ "int.eq" this other
  operator < other: return __prim__ "int.lt" this other
  operator <= other: return __prim__ "int.le" this other
  operator > other: return __prim__ "int.gt" this other
  operator >= other: return __prim__ "int.ge" this other
  operator & other: return __prim__ "int.and" this other
  operator | other: return __prim__ "int.or" this other
  operator ^ other: return __prim__ "int.xor" this other
  operator << other: return __prim__ "int.shl" this other
  operator >> other: return __prim__ "int.shr" this other
  operator >>> other: return __prim__ "int.ushr" this other
  operator - -> int: return __prim__ "int.neg" this
  operator ~ -> int: return __prim__ "int.not" this

  stringify -> string:
    return __prim__ "int.to-string" this 10

  stringify radix/int -> string:
    return __prim__ "int.to-string" this radix

  to-string --radix/int=10 -> string:
    return __prim__ "int.to-string" this radix

  abs -> int:
    if this < 0: return -this
    return this

  sign -> int:
    if this < 0: return -1
    if this == 0: return 0
    return 1

  to-int -> int:
    return this

  to-float -> float:
    return __prim__ "int.to-float" this

  sqrt -> float:
    return to-float.sqrt

  hash-code -> int:
    return this

  is-power-of-two -> bool:
    return this > 0 and (this & this - 1) == 0

  count-leading-zeros -> int:
    return __prim__ "int.clz" this

  population-count -> int:
    return __prim__ "int.popcount" this

  compare-to other -> int:
    if this < other: return -1
    if this > other: return 1
    return 0

  repeat [block] -> none:
    for i := 0; i < this; i++: block.call i

  static parse text/string --radix/int=10 -> int:
    return __prim__ "int.parse" text radix

class SmallInteger_ extends int:

class LargeInteger_ extends int:

class float extends num:
  static NAN ::= __prim__ "float.nan"
  static INFINITY ::= __prim__ "float.infinity"
  static MAX-FINITE ::= 1.7976931348623157e308
  static MIN-POSITIVE ::= 5e-324

  operator + other: return __prim__ "float.add" this other
  operator - other: return __prim__ "float.sub" this other
  operator * other: return __prim__ "float.mul" this other
  operator / other: return __prim__ "float.div" this other
  operator % other: return __prim__ "float.mod" this other
  operator == other: return __prim__ "float.eq" this other
  operator < other: return __prim__ "float.lt" this other
  operator <= other: return __prim__ "float.le" this other
  operator > other: return __prim__ "float.gt" this other
  operator >= other: return __prim__ "float.ge" this other
  operator - -> float: return __prim__ "float.neg" this

  stringify -> string:
    return __prim__ "float.to-string" this -1

  to-string --precision/int -> string:
    return __prim__ "float.to-string" this precision

  abs -> float:
    if this < 0.0 or (this == 0.0 and sign == -1): return -this
    return this

  sign -> int:
    return __prim__ "float.sign" this

  sqrt -> float:
    return __prim__ "float.sqrt" this

  round -> int:
    return __prim__ "float.round" this

  floor -> float:
    return __prim__ "float.floor" this

  ceil -> float:
    return __prim__ "float.ceil" this

  truncate -> float:
    return __prim__ "float.truncate" this

  to-int -> int:
    return __prim__ "float.to-int" this

  to-float -> float:
    return this

  is-nan -> bool:
    return __prim__ "float.is-nan" this

  is-finite -> bool:
    return __prim__ "float.is-finite" this

  compare-to other -> int:
    if this < other: return -1
    if this > other: return 1
    return 0

  static parse text/string -> float:
    return __prim__ "float.parse" text

class string:
  size -> int:
    return __prim__ "string.size" this

  size --runes/bool -> int:
    if not runes: return size
    return __prim__ "string.rune-count" this

  is-empty -> bool:
    return size == 0

  operator [] index/int -> int?:
    return __prim__ "string.at" this index

  at --raw/bool index/int -> int:
    return __prim__ "string.raw-at" this index

  operator [..] --from/int=0 --to/int=size -> string:
    return __prim__ "string.slice" this from to

  copy from/int=0 to/int=size -> string:
    return __prim__ "string.slice" this from to

  operator + other -> string:
    return __prim__ "string.concat" this other

  operator * count/int -> string:
    return __prim__ "string.repeat" this count

  operator == other -> bool:
    return __prim__ "string.equals" this other

  operator < other/string -> bool: return (compare-to other) < 0
  operator <= other/string -> bool: return (compare-to other) <= 0
  operator > other/string -> bool: return (compare-to other) > 0
  operator >= other/string -> bool: return (compare-to other) >= 0

  compare-to other/string -> int:
    return __prim__ "string.compare" this other

  hash-code -> int:
    return __prim__ "string.hash" this

  stringify -> string:
    return this

  index-of needle/string from/int=0 to/int=size --last/bool=false -> int:
    return __prim__ "string.index-of" this needle from to last

  contains needle/string -> bool:
    return (index-of needle) >= 0

  starts-with prefix/string -> bool:
    if prefix.size > size: return false
    return (__prim__ "string.slice" this 0 prefix.size) == prefix

  ends-with suffix/string -> bool:
    if suffix.size > size: return false
    return (__prim__ "string.slice" this (size - suffix.size) size) == suffix

  trim --left/bool=false --right/bool=false -> string:
    if not left and not right:
      left = true
      right = true
    return __prim__ "string.trim" this left right

  to-ascii-upper -> string:
    return __prim__ "string.case" this true

  to-ascii-lower -> string:
    return __prim__ "string.case" this false

  replace old/string new/string --all/bool=false -> string:
    return __prim__ "string.replace" this old new all

  split separator/string --at-first/bool=false --drop-empty/bool=false -> List:
    result := []
    if separator.is-empty:
      i := 0
      while i < size:
        n := __prim__ "string.rune-size" this i
        result.add (__prim__ "string.slice" this i (i + n))
        i += n
      return result
    start := 0
    while true:
      found := index-of separator start
      if found < 0 or (at-first and result.size == 1):
        piece := __prim__ "string.slice" this start size
        if not (drop-empty and piece.is-empty): result.add piece
        return result
      piece := __prim__ "string.slice" this start found
      if not (drop-empty and piece.is-empty): result.add piece
      start = found + separator.size

  pad --left/bool=false --right/bool=false --center/bool=false width/int char/int=' ' -> string:
    mode := 0
    if right: mode = 1
    if center: mode = 2
    return __prim__ "string.pad" this width char mode

  to-byte-array -> ByteArray:
    return __prim__ "string.to-bytes" this

  static from-rune rune/int -> string:
    return __prim__ "string.from-rune" rune

class Array_:

class ByteArray:
  constructor size/int:
    return __prim__ "bytes.new" size

  size -> int:
    return __prim__ "bytes.size" this

  operator [] index/int -> int:
    return __prim__ "bytes.at" this index

  operator []= index/int value/int -> int:
    return __prim__ "bytes.at-put" this index value

class List:
  array_ := ?
  size_ := 0

  constructor:
    array_ = __prim__ "array.new" 4

  constructor.from-array_ .array_ .size_:

  size -> int:
    return size_

  is-empty -> bool:
    return size_ == 0

  operator [] index/int:
    if index >= size_: throw "OUT_OF_BOUNDS"
    return __prim__ "array.at" array_ index

  operator []= index/int value:
    if index >= size_: throw "OUT_OF_BOUNDS"
    return __prim__ "array.at-put" array_ index value

  add value -> none:
    if size_ == (__prim__ "array.size" array_):
      array_ = __prim__ "array.grow" array_ (size_ * 2 + 4)
    __prim__ "array.at-put" array_ size_ value
    size_++

  first:
    return this[0]

  last:
    return this[size_ - 1]

  do [block] -> none:
    for i := 0; i < size_; i++: block.call (__prim__ "array.at" array_ i)

  join separator/string -> string:
    result := ""
    for i := 0; i < size_; i++:
      if i > 0: result += separator
      result += (__prim__ "array.at" array_ i).stringify
    return result

  // Stops once the text passes 4000 bytes, ending in "..." (LANGUAGE.md 9.6).
  stringify -> string:
    if size_ == 0: return "[]"
    result := "["
    total := 0
    for i := 0; i < size_; i++:
      piece := (__prim__ "array.at" array_ i).stringify
      total += piece.size + 2
      if total > 4000: return result + ", ..."
      if i > 0: result += ", "
      result += piece
    return result + "]"

list-from-array_ array:
  return List.from-array_ array (__prim__ "array.size" array)

print message="" -> none:
  __prim__ "core.print" message.stringify

exit code/int -> none:
  __prim__ "core.exit" code

min a b:
  if b < a: return b
  return a

max a b:
  if b > a: return b
  return a

catch [block]:
  try:
    block.call
  finally: | is-exception exception |
    if is-exception: return exception.value
  return null

format-interpolated_ spec/string value -> string:
  kind := spec[spec.size - 1]
  if kind == 's': return __prim__ "core.format" spec value.stringify
  return __prim__ "core.format" spec value
