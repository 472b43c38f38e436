class A:

main:
  a := A
  a.nothing

// expect runtime error: Class 'A' does not have any method 'nothing'.
