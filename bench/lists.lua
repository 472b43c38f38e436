-- Append, index and sort 200k ints from a deterministic LCG.
local seed = 42
local list = {}
for i = 1, 200000 do
  seed = (seed * 1103515245 + 12345) % 2147483648
  list[#list + 1] = seed % 1000000
end
local sum = 0
for i = 1, #list, 7 do sum = sum + list[i] end
local sorted = {}
for i = 1, #list do sorted[i] = list[i] end
table.sort(sorted)
print(sum .. " " .. sorted[1] .. " " .. sorted[100001] .. " " .. sorted[200000])
