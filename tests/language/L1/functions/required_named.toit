connect --host/string --port/int=80:
  print "$host:$port"

main:
  connect --host="example.com"
  connect --port=8080 --host="a"

// expect: example.com:80
// expect: a:8080
