// Checks our choice: built-in classes cannot be subclassed.
class MyInt extends int:  // expect compile error:
main:
  print 1
