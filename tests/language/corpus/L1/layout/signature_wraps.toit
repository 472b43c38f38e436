// Checks a wrapped signature with the body's colon alone on a line.
connect
    --host/string
    --port/int=80:
  return "$host:$port"
main:
  print (connect --host="a")
  print (connect --port=8 --host="b")

// expect: a:80
// expect: b:8
