// Checks field-storing parameters with a type and a default value.
class Buf:
  size /int
  name /string
  constructor .name .size/int=10:
main:
  print (Buf "a").size
  print (Buf "b" 3).size

// expect: 10
// expect: 3
