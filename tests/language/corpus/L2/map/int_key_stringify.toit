// Checks the stringify of maps with int keys and nested collection values.
main:
  print {1: [1, 2], 2: {"x": null}}

// expect: {1: [1, 2], 2: {x: null}}
