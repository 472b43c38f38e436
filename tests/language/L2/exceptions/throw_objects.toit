class MyError:
  code /int
  constructor .code:
  stringify: return "MyError $code"

main:
  e := catch: throw (MyError 7)
  print e
  print e.code

// expect: MyError 7
// expect: 7
