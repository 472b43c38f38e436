main:
  break  // expect compile error: 'break' outside of a loop
