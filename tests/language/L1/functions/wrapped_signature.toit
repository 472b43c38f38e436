connect
    --host/string
    --port/int=80:
  return "$host:$port"

main:
  print (connect --host="h")

// expect: h:80
