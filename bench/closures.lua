-- Higher-order calls with blocks and lambdas.
local function apply_n(n, f)
  local acc = 0
  for i = 0, n - 1 do acc = f(acc, i) end
  return acc
end
local total = 0
local add = function(a, b) return a + b end
for r = 1, 20 do
  total = total + apply_n(50000, function(acc, i) return acc + i end)
  for i = 1, 50000 do total = add(total, 1) end
end
print(total)
