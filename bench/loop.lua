-- Nested integer loops: a multiply, an add and a modulo per iteration.
local sum = 0
for i = 0, 2999 do
  for j = 0, 2999 do
    sum = (sum + i * j) % 1000003
  end
end
print(sum)
