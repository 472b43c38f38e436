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

  // Like parse, but returns the block's value (given the text) on bad input.
  static parse text/string --radix/int=10 [--if-error]:
    result := null
    error := catch: result = __prim__ "int.parse" text radix
    if error == "INTEGER_PARSING_ERROR": return if-error.call text
    if error: throw error
    return result

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

  static from-runes runes/List -> string:
    result := ""
    runes.do: result += __prim__ "string.from-rune" it
    return result

  // The code point starting at each byte; null for continuation bytes.
  do [block] -> none:
    n := size
    for i := 0; i < n; i++: block.call (__prim__ "string.at" this i)

class Array_:

class ByteArray:
  constructor size/int:
    return __prim__ "bytes.new" size

  // Element i is the block's value for i, stored & 0xFF.
  constructor size/int [block]:
    result := __prim__ "bytes.new" size
    for i := 0; i < size; i++: __prim__ "bytes.at-put" result i (block.call i)
    return result

  // Only for ByteArraySlice_: a slice has no bytes of its own.
  constructor.slice-base_:

  size -> int:
    return __prim__ "bytes.size" this

  is-empty -> bool:
    return size == 0

  operator [] index/int -> int:
    return __prim__ "bytes.at" this index

  operator []= index/int value/int -> int:
    return __prim__ "bytes.at-put" this index value

  // A view: writes go through to this byte array.
  operator [..] --from/int=0 --to/int=size -> ByteArray:
    if from < 0 or to > size or from > to: throw "OUT_OF_BOUNDS"
    return ByteArraySlice_ this from to

  do [block] -> none:
    n := size
    for i := 0; i < n; i++: block.call this[i]

  do --reversed/bool [block] -> none:
    if not reversed: return do block
    for i := size - 1; i >= 0; i--: block.call this[i]

  any [block] -> bool:
    do: if block.call it: return true
    return false

  every [block] -> bool:
    do: if not block.call it: return false
    return true

  contains value -> bool:
    return (index-of value) >= 0

  reduce [block]:
    if size == 0: throw "Not enough elements"
    acc := this[0]
    for i := 1; i < size; i++: acc = block.call acc this[i]
    return acc

  reduce --initial [block]:
    acc := initial
    do: acc = block.call acc it
    return acc

  first -> int:
    return this[0]

  last -> int:
    return this[size - 1]

  index-of value -> int:
    n := size
    for i := 0; i < n; i++:
      if this[i] == value: return i
    return -1

  copy -> ByteArray:
    n := size
    result := ByteArray n
    for i := 0; i < n; i++: result[i] = this[i]
    return result

  operator + other/ByteArray -> ByteArray:
    n := size
    result := ByteArray n + other.size
    for i := 0; i < n; i++: result[i] = this[i]
    other.size.repeat: result[n + it] = other[it]
    return result

  fill value/int -> none:
    n := size
    for i := 0; i < n; i++: this[i] = value

  // Reverses the bytes in place.
  reverse -> none:
    i := 0
    j := size - 1
    while i < j:
      t := this[i]
      this[i] = this[j]
      this[j] = t
      i++
      j--

  operator == other -> bool:
    if other is not ByteArray: return false
    n := size
    if n != other.size: return false
    for i := 0; i < n; i++:
      if this[i] != other[i]: return false
    return true

  hash-code -> int:
    h := size
    do: h = (h * 31 + it) & 0x3FFF_FFFF
    return h

  // UTF-8 decode; throws "ILLEGAL_UTF_8" for malformed input.
  to-string -> string:
    return __prim__ "bytes.to-string" this 0 size

  stringify -> string:
    if is-empty: return "#[]"
    result := "#["
    total := 0
    for i := 0; i < size; i++:
      total += 6
      if total > 4000: return result + "..."
      if i > 0: result += ", "
      result += "0x$(%02x this[i])"
    return result + "]"

// A view of part of a byte array (b[from..to]).
class ByteArraySlice_ extends ByteArray:
  bytes_ := ?
  from_ := 0
  to_ := 0

  constructor .bytes_ .from_ .to_:
    super.slice-base_

  size -> int:
    return to_ - from_

  operator [] index/int -> int:
    if index < 0 or index >= to_ - from_: throw "OUT_OF_BOUNDS"
    return bytes_[from_ + index]

  operator []= index/int value/int -> int:
    if index < 0 or index >= to_ - from_: throw "OUT_OF_BOUNDS"
    bytes_[from_ + index] = value
    return value

  operator [..] --from/int=0 --to/int=size -> ByteArray:
    if from < 0 or to > size or from > to: throw "OUT_OF_BOUNDS"
    return ByteArraySlice_ bytes_ (from_ + from) (from_ + to)

  to-string -> string:
    return __prim__ "bytes.to-string" bytes_ from_ to_

// A growable list over an Array_ backing store.
class List:
  array_ := ?
  size_ := 0

  constructor size/int=0 [block]:
    array_ = __prim__ "array.new" (max size 4)
    size.repeat: add (block.call it)

  constructor size/int=0 filler=null:
    array_ = __prim__ "array.new" (max size 4)
    if size < 0: throw "NEGATIVE_ARGUMENT"
    size.repeat: add filler

  constructor.from collection:
    array_ = __prim__ "array.new" 4
    collection.do: add it

  constructor.from-array_ .array_ .size_:

  size -> int:
    return size_

  is-empty -> bool:
    return size_ == 0

  operator [] index/int:
    if index < 0 or index >= size_: throw "OUT_OF_BOUNDS"
    return __prim__ "array.at" array_ index

  operator []= index/int value:
    if index < 0 or index >= size_: throw "OUT_OF_BOUNDS"
    return __prim__ "array.at-put" array_ index value

  operator [..] --from/int=0 --to/int=size:
    if from < 0 or to > size or from > to: throw "OUT_OF_BOUNDS"
    return ListSlice_ this from to

  add value -> none:
    if size_ == (__prim__ "array.size" array_):
      array_ = __prim__ "array.grow" array_ (size_ * 2 + 4)
    __prim__ "array.at-put" array_ size_ value
    size_++

  add-all collection -> none:
    collection.do: add it

  insert --at/int value -> none:
    if at < 0 or at > size_: throw "OUT_OF_BOUNDS"
    add null
    for i := size_ - 1; i > at; i--:
      __prim__ "array.at-put" array_ i (__prim__ "array.at" array_ i - 1)
    __prim__ "array.at-put" array_ at value

  remove-last:
    if size_ == 0: throw "OUT_OF_BOUNDS"
    size_--
    result := __prim__ "array.at" array_ size_
    __prim__ "array.at-put" array_ size_ null
    return result

  remove --at/int -> any:
    if at < 0 or at >= size_: throw "OUT_OF_BOUNDS"
    result := __prim__ "array.at" array_ at
    for i := at; i < size_ - 1; i++:
      __prim__ "array.at-put" array_ i (__prim__ "array.at" array_ i + 1)
    size_--
    __prim__ "array.at-put" array_ size_ null
    return result

  remove value -> none:
    i := index-of value
    if i >= 0: remove --at=i

  clear -> none:
    array_ = __prim__ "array.new" 4
    size_ = 0

  resize new-size/int -> none:
    if new-size < 0: throw "NEGATIVE_ARGUMENT"
    while size_ < new-size: add null
    while size_ > new-size: remove-last

  first:
    return this[0]

  last:
    return this[size_ - 1]

  do [block] -> none:
    for i := 0; i < size_; i++: block.call (__prim__ "array.at" array_ i)

  do --reversed/bool [block] -> none:
    for i := size_ - 1; i >= 0; i--: block.call (__prim__ "array.at" array_ i)

  map [block] -> List:
    result := List
    do: result.add (block.call it)
    return result

  // With --in-place, replaces each element and returns this list.
  map --in-place/bool [block] -> List:
    if not in-place: return map block
    n := size
    for i := 0; i < n; i++: this[i] = block.call this[i]
    return this

  filter [block] -> List:
    result := List
    do: if block.call it: result.add it
    return result

  // With --in-place, keeps the matching elements in this list and returns it.
  filter --in-place/bool [block] -> List:
    if not in-place: return filter block
    kept := 0
    n := size
    for i := 0; i < n; i++:
      e := this[i]
      if block.call e:
        this[kept] = e
        kept++
    resize kept
    return this

  reduce [block]:
    if size == 0: throw "Not enough elements"
    acc := null
    first := true
    do:
      if first:
        acc = it
        first = false
      else:
        acc = block.call acc it
    return acc

  reduce --initial [block]:
    acc := initial
    do: acc = block.call acc it
    return acc

  any [block] -> bool:
    do: if block.call it: return true
    return false

  every [block] -> bool:
    do: if not block.call it: return false
    return true

  index-of value -> int:
    for i := 0; i < size_; i++:
      if (__prim__ "array.at" array_ i) == value: return i
    return -1

  index-of value [--if-absent]:
    i := index-of value
    if i < 0: return if-absent.call value
    return i

  contains value -> bool:
    return (index-of value) >= 0

  copy -> List:
    result := List
    do: result.add it
    return result

  operator + other -> List:
    result := copy
    other.do: result.add it
    return result

  swap i/int j/int -> none:
    t := this[i]
    this[i] = this[j]
    this[j] = t

  fill value -> none:
    for i := 0; i < size_; i++: __prim__ "array.at-put" array_ i value

  is-sorted -> bool:
    for i := 1; i < size_; i++:
      if (compare_ this[i - 1] this[i]) > 0: return false
    return true

  // A stable merge sort: a new list unless --in-place.
  sort --in-place/bool=false -> List:
    target := in-place ? this : copy
    if target is not ListSlice_ and (__prim__ "array.sort" target.array_ target.size_): return target
    return target.sort --in-place: | a b | compare_ a b

  sort --in-place/bool=false [compare] -> List:
    target := in-place ? this : copy
    n := target.size
    if n < 2: return target
    src := List n
    n.repeat: src[it] = target[it]
    tmp := List n
    width := 1
    while width < n:
      lo := 0
      while lo < n:
        mid := min (lo + width) n
        hi := min (lo + 2 * width) n
        i := lo
        j := mid
        k := lo
        while k < hi:
          if i < mid and (j >= hi or (compare.call src[i] src[j]) <= 0):
            tmp[k] = src[i]
            i++
          else:
            tmp[k] = src[j]
            j++
          k++
        lo = hi
      t := src
      src = tmp
      tmp = t
      width *= 2
    n.repeat: target[it] = src[it]
    return target

  join separator/string -> string:
    result := ""
    for i := 0; i < size_; i++:
      if i > 0: result += separator
      result += (__prim__ "array.at" array_ i).stringify
    return result

  operator == other -> bool:
    if other is not List: return false
    if other.size != size: return false
    for i := 0; i < size_; i++:
      if this[i] != other[i]: return false
    return true

  // Stops once the text passes 4000 bytes, ending in "..." (LANGUAGE.md 9.6).
  stringify -> string:
    return stringify-elements_ this "[" "]"

// The elements of a collection, stringified and separated by ", ".
stringify-elements_ collection open/string close/string -> string:
  if collection.is-empty: return open + close
  result := open
  total := 0
  first := true
  collection.do:
    piece := it.stringify
    total += piece.size + 2
    if total > 4000: return result + "..."
    if not first: result += ", "
    result += piece
    first = false
  return result + close

compare_ a b -> int:
  if a is num and b is num:
    if a < b: return -1
    if a > b: return 1
    return 0
  return a.compare-to b

// A view of part of a list: writes go through to the list.
class ListSlice_ extends List:
  list_ := ?
  from_ := 0
  to_ := 0

  constructor .list_ .from_ .to_:
    super.from-array_ null 0

  size -> int:
    return to_ - from_

  is-empty -> bool:
    return to_ == from_

  operator [] index/int:
    if index < 0 or index >= size: throw "OUT_OF_BOUNDS"
    return list_[from_ + index]

  operator []= index/int value:
    if index < 0 or index >= size: throw "OUT_OF_BOUNDS"
    list_[from_ + index] = value
    return value

  do [block] -> none:
    for i := from_; i < to_; i++: block.call list_[i]

  add value -> none:
    throw "SLICE_CANNOT_GROW"

  copy -> List:
    result := List
    do: result.add it
    return result

  index-of value -> int:
    for i := 0; i < size; i++:
      if this[i] == value: return i
    return -1

  join separator/string -> string:
    result := ""
    first := true
    do:
      if not first: result += separator
      result += it.stringify
      first = false
    return result

  stringify -> string:
    return stringify-elements_ this "[" "]"

// An insertion-ordered hash map. Entries live in keys_/values_ in insertion
// order (removed ones become tombstones); index_ maps hash slots to entry
// positions + 1.
class Map:
  keys_ := []
  values_ := []
  index_ := null
  count_ := 0
  iterating_ := 0

  constructor:

  size -> int:
    return count_

  is-empty -> bool:
    return count_ == 0

  find_ key -> int:
    if index_ == null: return -1
    found := __prim__ "map.find" index_ keys_.array_ key TOMBSTONE_
    if found >= 0: return found
    if found != -2: return -1
    cap := __prim__ "array.size" index_
    h := (hash-of_ key) & (cap - 1)
    while true:
      e := __prim__ "array.at" index_ h
      if e == 0: return -1
      if e > 0:
        k := keys_[e - 1]
        if not identical k TOMBSTONE_ and k == key: return e - 1
      h = (h + 1) & (cap - 1)

  rehash_ cap/int -> none:
    if count_ != keys_.size:
      // Drop the tombstones.
      live-keys := []
      live-values := []
      keys_.size.repeat:
        k := keys_[it]
        if not identical k TOMBSTONE_:
          live-keys.add k
          live-values.add values_[it]
      keys_ = live-keys
      values_ = live-values
    index_ = __prim__ "array.new" cap
    // Int and string keys are hashed in C; others here.
    if not (__prim__ "map.rebuild" index_ keys_.array_ keys_.size TOMBSTONE_):
      cap.repeat: __prim__ "array.at-put" index_ it 0
      keys_.size.repeat: insert-index_ keys_[it] it

  insert-index_ key position/int -> none:
    cap := __prim__ "array.size" index_
    h := (hash-of_ key) & (cap - 1)
    while (__prim__ "array.at" index_ h) > 0: h = (h + 1) & (cap - 1)
    __prim__ "array.at-put" index_ h (position + 1)

  operator [] key:
    if index_ != null:
      found := __prim__ "map.find" index_ keys_.array_ key TOMBSTONE_
      if found >= 0: return __prim__ "array.at" values_.array_ found
    i := find_ key
    if i < 0: throw "key '$key' not found"
    return values_[i]

  operator []= key value:
    // The index slot where the key goes when it is new, or -1: unknown.
    slot := -1
    if index_ != null:
      found := __prim__ "map.find" index_ keys_.array_ key TOMBSTONE_
      if found == -2: found = find_ key
      if found >= 0:
        __prim__ "array.at-put" values_.array_ found value
        return value
      if found <= -3: slot = -3 - found
    if iterating_ > 0: throw "CONCURRENT_MODIFICATION"
    if index_ == null or (keys_.size + 1) * 2 > (__prim__ "array.size" index_):
      // A power of two (probing masks with cap - 1), room for 4x the live keys.
      cap := 8
      while cap < count_ * 4: cap *= 2
      rehash_ cap
      slot = -1
    keys_.add key
    values_.add value
    if slot >= 0: __prim__ "array.at-put" index_ slot keys_.size
    else: insert-index_ key keys_.size - 1
    count_++
    return value

  get key:
    i := find_ key
    if i < 0: return null
    return values_[i]

  get key [--if-absent]:
    i := find_ key
    if i < 0: return if-absent.call key
    return values_[i]

  get key [--init]:
    i := find_ key
    if i >= 0: return values_[i]
    value := init.call
    this[key] = value
    return value

  contains key -> bool:
    return (find_ key) >= 0

  update key [block]:
    i := find_ key
    if i < 0: throw "key not found"
    values_[i] = block.call values_[i]
    return values_[i]

  update key --if-absent [block]:
    i := find_ key
    if i < 0:
      this[key] = if-absent
      return if-absent
    values_[i] = block.call values_[i]
    return values_[i]

  update key --init [block]:
    i := find_ key
    if i < 0:
      this[key] = block.call init
      return this[key]
    values_[i] = block.call values_[i]
    return values_[i]

  remove key -> none:
    i := find_ key
    if i < 0: return
    if iterating_ > 0: throw "CONCURRENT_MODIFICATION"
    // The entry becomes a tombstone that lookups skip; the next growth of
    // the table (in []=) compacts them away.
    keys_[i] = TOMBSTONE_
    values_[i] = null
    count_--

  clear -> none:
    keys_ = []
    values_ = []
    index_ = null
    count_ = 0

  do [block] -> none:
    iterating_++
    try:
      keys_.size.repeat:
        k := keys_[it]
        if not identical k TOMBSTONE_: block.call k values_[it]
    finally:
      iterating_--

  do --keys/bool [block] -> none:
    do: | k v | block.call k

  do --values/bool [block] -> none:
    do: | k v | block.call v

  keys -> List:
    result := []
    do: | k v | result.add k
    return result

  values -> List:
    result := []
    do: | k v | result.add v
    return result

  first:
    do: | k v | return k
    throw "NOT_ENOUGH_ELEMENTS"

  last:
    result := null
    found := false
    do: | k v |
      result = k
      found = true
    if not found: throw "NOT_ENOUGH_ELEMENTS"
    return result

  map [block] -> Map:
    result := Map
    do: | k v | result[k] = block.call k v
    return result

  filter [block] -> Map:
    result := Map
    do: | k v | if block.call k v: result[k] = v
    return result

  stringify -> string:
    if count_ == 0: return "{:}"
    pieces := []
    do: | k v | pieces.add "$k: $v"
    return stringify-elements_ pieces "{" "}"

class Tombstone_:

TOMBSTONE_ ::= Tombstone_

// Hash codes are mixed (Fibonacci hashing) so that runs of consecutive
// ints do not form one long probe chain; map.find mixes the same way.
hash-of_ key -> int:
  h := ?
  if key is int: h = key
  else if key is string: h = key.hash-code
  else if key == null or key is bool or key is float: throw "LOOKUP_FAILED"
  else: h = key.hash-code
  return (h * -7046029254386353131) >>> 32

// An insertion-ordered set, on the same hash table as Map.
class Set:
  map_ := Map

  constructor:

  size -> int:
    return map_.size

  is-empty -> bool:
    return map_.is-empty

  add value -> none:
    map_[value] = true

  add-all collection -> none:
    collection.do: add it

  remove value -> none:
    map_.remove value

  contains value -> bool:
    return map_.contains value

  do [block] -> none:
    map_.do: | k v | block.call k

  map [block] -> Set:
    result := Set
    do: result.add (block.call it)
    return result

  filter [block] -> Set:
    result := Set
    do: if block.call it: result.add it
    return result

  intersect other -> Set:
    result := Set
    do: if other.contains it: result.add it
    return result

  to-list -> List:
    return map_.keys

  operator == other -> bool:
    if other is not Set: return false
    if other.size != size: return false
    do: if not other.contains it: return false
    return true

  stringify -> string:
    return stringify-elements_ this "{" "}"

// A double-ended queue: a ring buffer, so add-first, remove-first and
// remove-last take constant time.
class Deque:
  array_ := __prim__ "array.new" 8
  head_ := 0
  size_ := 0

  constructor:

  size -> int:
    return size_

  is-empty -> bool:
    return size_ == 0

  slot_ i/int -> int:
    return (head_ + i) % (__prim__ "array.size" array_)

  grow_ -> none:
    cap := __prim__ "array.size" array_
    if size_ < cap: return
    bigger := __prim__ "array.new" cap * 2
    for i := 0; i < size_; i++: __prim__ "array.at-put" bigger i (__prim__ "array.at" array_ (slot_ i))
    array_ = bigger
    head_ = 0

  operator [] index/int:
    if index < 0 or index >= size_: throw "OUT_OF_BOUNDS"
    return __prim__ "array.at" array_ (slot_ index)

  operator []= index/int value:
    if index < 0 or index >= size_: throw "OUT_OF_BOUNDS"
    return __prim__ "array.at-put" array_ (slot_ index) value

  add value -> none:
    grow_
    __prim__ "array.at-put" array_ (slot_ size_) value
    size_++

  add-all collection -> none:
    collection.do: add it

  add-first value -> none:
    grow_
    head_ = (head_ - 1) % (__prim__ "array.size" array_)
    if head_ < 0: head_ += __prim__ "array.size" array_
    __prim__ "array.at-put" array_ head_ value
    size_++

  remove-first:
    if size_ == 0: throw "OUT_OF_BOUNDS"
    result := __prim__ "array.at" array_ head_
    __prim__ "array.at-put" array_ head_ null
    head_ = slot_ 1
    size_--
    return result

  remove-last:
    if size_ == 0: throw "OUT_OF_BOUNDS"
    i := slot_ size_ - 1
    result := __prim__ "array.at" array_ i
    __prim__ "array.at-put" array_ i null
    size_--
    return result

  first:
    return this[0]

  last:
    return this[size_ - 1]

  clear -> none:
    array_ = __prim__ "array.new" 8
    head_ = 0
    size_ = 0

  do [block] -> none:
    for i := 0; i < size_; i++: block.call (__prim__ "array.at" array_ (slot_ i))

  do --reversed/bool [block] -> none:
    if not reversed: return do block
    for i := size_ - 1; i >= 0; i--: block.call (__prim__ "array.at" array_ (slot_ i))

  any [block] -> bool:
    do: if block.call it: return true
    return false

  every [block] -> bool:
    do: if not block.call it: return false
    return true

  contains value -> bool:
    do: if it == value: return true
    return false

  reduce [block]:
    if size_ == 0: throw "Not enough elements"
    acc := this[0]
    for i := 1; i < size_; i++: acc = block.call acc this[i]
    return acc

  reduce --initial [block]:
    acc := initial
    do: acc = block.call acc it
    return acc

  operator == other -> bool:
    if other is not Deque or other.size != size_: return false
    for i := 0; i < size_; i++:
      if this[i] != other[i]: return false
    return true

  stringify -> string:
    return stringify-elements_ this "[" "]"

list-from-array_ array:
  return List.from-array_ array (__prim__ "array.size" array)

map-from-array_ array -> Map:
  result := Map
  n := __prim__ "array.size" array
  for i := 0; i < n; i += 2:
    result[__prim__ "array.at" array i] = __prim__ "array.at" array i + 1
  return result

set-from-array_ array -> Set:
  result := Set
  n := __prim__ "array.size" array
  for i := 0; i < n; i++: result.add (__prim__ "array.at" array i)
  return result

bytes-from-array_ array -> ByteArray:
  n := __prim__ "array.size" array
  result := ByteArray n
  for i := 0; i < n; i++: result[i] = __prim__ "array.at" array i
  return result

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

// With --trace, also prints the exception and its stack trace to stderr.
catch --trace/bool [block]:
  try:
    block.call
  finally: | is-exception exception |
    if is-exception:
      if trace: print-exception_ exception
      return exception.value
  return null

// Rethrows (keeping the trace) when --unwind's block returns true for the value.
catch --trace/bool=false [--unwind] [block]:
  try:
    block.call
  finally: | is-exception exception |
    if is-exception:
      if unwind.call exception.value: rethrow exception.value exception.trace
      if trace: print-exception_ exception
      return exception.value
  return null

print-exception_ exception -> none:
  value := exception.value
  text := value is string ? value : "?"
  if value is not string: catch: text = value.stringify
  __prim__ "core.print-exception" value text exception.trace

// Throws value again with the trace it had when it was caught.
rethrow value trace -> none:
  __prim__ "core.rethrow" value trace

// The entry point when the program may throw objects other than strings:
// an uncaught one is reported with its stringify (LANGUAGE.md 21.2).
run-main_:
  try:
    __call-main__
  finally: | is-exception exception |
    if is-exception: report-uncaught_ exception

run-main_ args:
  try:
    __call-main__ args
  finally: | is-exception exception |
    if is-exception: report-uncaught_ exception

report-uncaught_ exception -> none:
  value := exception.value
  if value is string or value is num or value == null: return  // the VM reports these
  text := null
  catch: text = value.stringify
  if text is not string: return
  __prim__ "core.report-uncaught" value text exception.trace

format-interpolated_ spec/string value -> string:
  kind := spec[spec.size - 1]
  if kind == 's': return __prim__ "core.format" spec value.stringify
  return __prim__ "core.format" spec value

// A length of time in nanoseconds.
class Duration:
  ns_ /int

  static ZERO ::= Duration 0

  constructor .ns_:

  constructor --h/int=0 --m/int=0 --s/int=0 --ms/int=0 --us/int=0 --ns/int=0:
    ns_ = ((((h * 60 + m) * 60 + s) * 1000 + ms) * 1000 + us) * 1000 + ns

  // Runs the block and returns how long it took.
  static of [block] -> Duration:
    start := Time.monotonic-us
    block.call
    return Duration --us=(Time.monotonic-us - start)

  in-ns -> int: return ns_
  in-us -> int: return ns_ / 1000
  in-ms -> int: return ns_ / 1_000_000
  in-s -> int: return ns_ / 1_000_000_000
  in-m -> int: return ns_ / 60_000_000_000
  in-h -> int: return ns_ / 3_600_000_000_000

  operator + other/Duration -> Duration: return Duration ns_ + other.ns_
  operator - other/Duration -> Duration: return Duration ns_ - other.ns_
  operator - -> Duration: return Duration -ns_
  operator * factor/num -> Duration: return Duration (ns_ * factor).to-int
  operator / divisor/num -> Duration: return Duration (ns_ / divisor).to-int
  operator == other -> bool: return other is Duration and ns_ == other.ns_
  operator < other/Duration -> bool: return ns_ < other.ns_
  operator <= other/Duration -> bool: return ns_ <= other.ns_
  operator > other/Duration -> bool: return ns_ > other.ns_
  operator >= other/Duration -> bool: return ns_ >= other.ns_
  compare-to other/Duration -> int: return ns_.compare-to other.ns_
  hash-code -> int: return ns_
  abs -> Duration: return ns_ < 0 ? -this : this

  // Go's format: "1.5s", "2m0s", "1h2m3.004s", "3ms", "3us", "0s".
  stringify -> string:
    if ns_ == 0: return "0s"
    sign := ns_ < 0 ? "-" : ""
    n := ns_.abs
    if n < 1000: return "$sign$(n)ns"
    if n < 1_000_000: return "$sign$(fraction_ n 1000)us"
    if n < 1_000_000_000: return "$sign$(fraction_ n 1_000_000)ms"
    h := n / 3_600_000_000_000
    rest := n % 3_600_000_000_000
    m := rest / 60_000_000_000
    s := fraction_ (rest % 60_000_000_000) 1_000_000_000
    if h > 0: return "$sign$(h)h$(m)m$(s)s"
    if m > 0: return "$sign$(m)m$(s)s"
    return "$sign$(s)s"

  // n / unit with the fraction's trailing zeros dropped: 1500, 1000 -> "1.5".
  static fraction_ n/int unit/int -> string:
    whole := n / unit
    frac := n % unit
    if frac == 0: return "$whole"
    digits := (frac + unit).stringify[1..]
    end := digits.size
    while digits[end - 1] == '0': end--
    return "$whole.$digits[..end]"

// A point in time: nanoseconds since the Unix epoch (UTC).
class Time:
  ns_ /int

  constructor.from-ns_ .ns_:

  static now -> Time:
    return Time.from-ns_ (__prim__ "time.now-ns")

  static epoch --s/int=0 --ms/int=0 --us/int=0 --ns/int=0 -> Time:
    return Time.from-ns_ ((s * 1000 + ms) * 1000 + us) * 1000 + ns

  static monotonic-us -> int:
    return __prim__ "time.monotonic-us"

  to other/Time -> Duration: return Duration other.ns_ - ns_
  operator + d/Duration -> Time: return Time.from-ns_ ns_ + d.in-ns
  operator - d/Duration -> Time: return Time.from-ns_ ns_ - d.in-ns
  operator == other -> bool: return other is Time and ns_ == other.ns_
  operator < other/Time -> bool: return ns_ < other.ns_
  operator > other/Time -> bool: return ns_ > other.ns_
  hash-code -> int: return ns_
  ms-since-epoch -> int: return ns_ / 1_000_000
  s-since-epoch -> int: return ns_ / 1_000_000_000

  utc -> TimeInfo:
    return TimeInfo.from-ns_ ns_

  local -> TimeInfo:
    return utc  // The device has no time zone database: local time is UTC.

  stringify -> string:
    i := utc
    return "$(%04d i.year)-$(%02d i.month)-$(%02d i.day)T$(%02d i.h):$(%02d i.m):$(%02d i.s)Z"

// The calendar fields of a Time (UTC).
class TimeInfo:
  year /int
  month /int
  day /int
  h /int
  m /int
  s /int
  ns /int

  constructor.from-ns_ total/int:
    secs := total / 1_000_000_000
    rem-ns := total % 1_000_000_000
    if rem-ns < 0:
      rem-ns += 1_000_000_000
      secs--
    days := secs / 86400
    sod := secs % 86400
    if sod < 0:
      sod += 86400
      days--
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    z := days + 719468
    era := (z >= 0 ? z : z - 146096) / 146097
    doe := z - era * 146097
    yoe := (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    doy := doe - (365 * yoe + yoe / 4 - yoe / 100)
    mp := (5 * doy + 2) / 153
    d := doy - (153 * mp + 2) / 5 + 1
    mo := mp < 10 ? mp + 3 : mp - 9
    year = yoe + era * 400 + (mo <= 2 ? 1 : 0)
    month = mo
    day = d
    h = sod / 3600
    m = sod % 3600 / 60
    s = sod % 60
    ns = rem-ns

// A pseudo-random int: in [0, 2^28), [0, n) or [a, b).
random -> int:
  return __prim__ "random.next" 0x1000_0000

random n/int -> int:
  if n <= 0: return 0
  return __prim__ "random.next" n

random a/int b/int -> int:
  if b <= a: return a
  return a + (__prim__ "random.next" b - a)

set-random-seed seed/string -> none:
  __prim__ "random.seed" seed

unreachable -> none:
  throw "Unreachable"

// Tasks: cooperative green threads of the process (LANGUAGE.md 16).
task lambda/Lambda --background/bool=false -> Task:
  return Task.id_ (__prim__ "task.spawn" lambda background)

// A handle on a task. Tasks are compared by identity of the task, not of
// the handle (`Task.current == t`).
class Task:
  id_ /int

  constructor.id_ .id_:

  static current -> Task:
    return Task.id_ (__prim__ "task.current")

  // Throws "CANCELED" in the task at its next yield point (its finally
  // blocks run); a task that does not catch it just ends.
  cancel -> none:
    __prim__ "task.cancel" id_

  is-canceled -> bool:
    return __prim__ "task.is-canceled" id_

  is-done -> bool:
    return __prim__ "task.is-done" id_

  operator == other -> bool:
    return other is Task and id_ == other.id_

  hash-code -> int:
    return id_

  stringify -> string:
    return "Task $(id_ & 0xffff)"

// Lets the other ready tasks run first.
yield -> none:
  __prim__ "task.yield"

// Blocks this task for at least ms milliseconds; 0 or less returns at once.
sleep --ms/int -> none:
  if ms <= 0: return
  __prim__ "task.sleep" ms

sleep duration/Duration -> none:
  sleep --ms=duration.in-ms

// Runs the block; throws "DEADLINE_EXCEEDED" at the first yield point after
// ms milliseconds. Nested timeouts keep the earliest deadline.
with-timeout --ms/int [block]:
  deadline := (__prim__ "time.monotonic-us") + (max ms 0) * 1000
  old := __prim__ "task.deadline"
  if old != 0 and old < deadline: deadline = old
  __prim__ "task.set-deadline" deadline
  try:
    return block.call
  finally:
    __prim__ "task.set-deadline" old

with-timeout duration/Duration [block]:
  return with-timeout --ms=duration.in-ms: block.call

// `await: condition` in a monitor method: blocks until the condition holds.
// The task sleeps until another task of the process has run (only another
// task can change what it waits for), then checks again.
await [condition] -> none:
  if condition.call: return
  __prim__ "task.await" true
  while not condition.call:
    __prim__ "task.await" false

// Waits until the condition holds, checking it again each time another
// task calls notify_ on obj (the monitor module's wait queues).
await-on_ obj [condition] -> none:
  if condition.call: return
  __prim__ "task.await-on" obj true
  while not condition.call:
    __prim__ "task.await-on" obj false

// Wakes the tasks in await-on_ obj.
notify_ obj -> none:
  __prim__ "task.notify" obj

// The lock around the methods of a `monitor` (the compiler wraps each of
// its public methods: monitor-enter_ this, then the body, then in a
// finally monitor-leave_ this). Re-entrant for the task that holds it.
monitor-enter_ obj -> none:
  if __prim__ "monitor.enter" obj: return
  __prim__ "task.await-on" obj true
  while not (__prim__ "monitor.enter" obj):
    __prim__ "task.await-on" obj false

// Leaving a method lets tasks in await: re-check and waiting tasks enter.
monitor-leave_ obj -> none:
  __prim__ "monitor.leave" obj
  __prim__ "task.notify" obj

// `await: condition` in a method of a monitor: releases the lock while it
// waits, re-checks whenever a task leaves a method of the same monitor, and
// holds the lock again when it returns.
monitor-await_ obj [condition] -> none:
  if condition.call: return
  depth := __prim__ "monitor.release" obj
  __prim__ "task.notify" obj
  first := true
  while true:
    __prim__ "task.await-on" obj first
    first = false
    if condition.call and (__prim__ "monitor.acquire" obj depth): return
