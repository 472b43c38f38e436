// Checks string do: code points, with null for continuation bytes.
main:
  "aé".do: print it

// expect: 97
// expect: 233
// expect: null
