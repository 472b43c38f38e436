-- Allocate many small objects and read their fields.
local sum = 0
for i = 0, 1999999 do
  local p = {x = i, y = i + 1}
  sum = sum + p.x + p.y
end
print(sum)
