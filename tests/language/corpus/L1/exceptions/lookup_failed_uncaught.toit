// Checks the VM message when a method does not exist on an object.
id x: return x
main:
  x := id 3
  x.no-such-method

// expect runtime error: does not have any method 'no-such-method'
