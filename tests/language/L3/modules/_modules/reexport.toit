import .geometry show *
export *
EXTRA ::= 7
