// Checks that frames of methods are named Class.name in the trace.
class Worker:
  run: throw "FAIL"
main:
  (Worker).run

// expect runtime error: Worker.run
