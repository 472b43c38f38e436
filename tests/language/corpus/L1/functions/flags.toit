// Checks that --x means --x=true and --no-x means --x=false.
show --loud/bool=false: return loud ? "LOUD" : "quiet"
main:
  print (show)
  print (show --loud)
  print (show --no-loud)
  print (show --loud=true)

// expect: quiet
// expect: LOUD
// expect: quiet
// expect: LOUD
