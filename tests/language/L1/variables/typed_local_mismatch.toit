main:
  x /int := "five"  // expect compile error: Type mismatch. Expected 'int'. Got 'string'
