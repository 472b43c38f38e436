// Checks a `?` field assigned in the constructor.
class C:
  v := ?
  constructor flag:
    if flag: v = "yes"
    else: v = "no"
main:
  print (C true).v
  print (C false).v

// expect: yes
// expect: no
