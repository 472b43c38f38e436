mixin Loud:
  shout: return "$word!"

class Word extends Object with Loud:
  word: return "hey"

main:
  w := Word
  print w.shout
  print w is Loud

// expect: hey!
// expect: true
