// Checks that finally clauses of intermediate calls run on a non-local return.
guard [b]:
  result := null
  try:
    result = b.call
  finally:
    print "guard done"
  return result
search:
  [1, 2, 3].do: | n |
    guard:
      if n == 2: return "found $n"
  return "none"
main:
  print search

// expect: guard done
// expect: guard done
// expect: found 2
