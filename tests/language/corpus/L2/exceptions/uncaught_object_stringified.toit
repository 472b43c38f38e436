// Checks that an uncaught object is reported with its stringify.
class Oops:
  stringify: return "Oops object"
main:
  throw Oops

// expect runtime error: Oops object
