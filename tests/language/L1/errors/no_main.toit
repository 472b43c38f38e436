helper: return 1  // expect compile error: No 'main' function
