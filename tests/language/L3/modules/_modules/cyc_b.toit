import .cyc_a
b-value -> int: return 2
b-uses-a -> int: return a-value + 20
