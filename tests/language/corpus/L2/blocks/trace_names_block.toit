// Checks that a frame for a block is named outer.<block> in the trace.
main:
  [1].do: throw "IN_BLOCK"

// expect runtime error: main.<block>
