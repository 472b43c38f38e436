// Checks that continue outside of a loop is a compile error.
main:
  continue  // expect compile error:
