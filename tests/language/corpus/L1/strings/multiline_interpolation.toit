// Checks interpolation inside multi-line strings.
main:
  n := 3
  s := """
    n=$n
    n+1=$(n + 1)
    """
  print s == "n=3\nn+1=4\n"

// expect: true
