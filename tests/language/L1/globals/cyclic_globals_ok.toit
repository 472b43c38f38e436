// Typed globals and cycles through functions are not compile errors: they
// fail at run time with INITIALIZATION_IN_PROGRESS, then are retried.
A /int := B + 1
B /int := A + 1
C := get-d + 1
D := C + 1
get-d: return D
E := 3
F := E + G
G := E * 2
main:
  print (catch: A)
  print (catch: C)
  print F

// expect: INITIALIZATION_IN_PROGRESS
// expect: INITIALIZATION_IN_PROGRESS
// expect: 9
