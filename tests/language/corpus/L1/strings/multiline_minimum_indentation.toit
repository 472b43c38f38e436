// Checks that the smallest indentation among lines is stripped from every line.
main:
  s := """
        deep
      shallow
          deeper"""
  print s == "  deep\nshallow\n    deeper"

// expect: true
