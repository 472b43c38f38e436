class Registry:
  static count := 0
  static LIMIT ::= 3
  static register: count++
  static full -> bool: return count >= LIMIT

main:
  Registry.register
  Registry.register
  print Registry.count
  print Registry.full
  Registry.register
  print Registry.full

// expect: 2
// expect: false
// expect: true
