// Checks constructor parameters with defaults and named parameters.
class Conn:
  host /string
  port /int
  constructor --h/string="localhost" --p/int=80:
    host = h
    port = p
  stringify: return "$host:$port"
main:
  print Conn
  print (Conn --p=8080)
  print (Conn --h="h" --p=1)

// expect: localhost:80
// expect: localhost:8080
// expect: h:1
