main:
  [50, 10, 30, 20, 40].do: | ms |
    task::
      sleep --ms=ms
      print ms

// expect: 10
// expect: 20
// expect: 30
// expect: 40
// expect: 50
