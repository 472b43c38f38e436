import .cyc_b
a-value -> int: return 1
a-uses-b -> int: return b-value + 10
