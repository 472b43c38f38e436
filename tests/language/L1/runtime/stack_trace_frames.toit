inner: throw "X"
middle: inner
main: middle

// expect runtime error: 1: middle
