main:
  print true
  print false
  print null

// expect: true
// expect: false
// expect: null
