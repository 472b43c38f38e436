// Checks that an unknown bare name inside a method is an unresolved identifier.
class C:
  f: return missing-member  // expect compile error: Unresolved identifier: 'missing-member'
main:
  print (C).f
