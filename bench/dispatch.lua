-- A virtual method across 8 classes in a mixed list.
local classes = {}
for k = 0, 7 do
  local c = {}
  c.__index = c
  local v = k + 1
  function c.area(self) return v end
  classes[k] = c
end
local order = {0, 1, 2, 3, 4, 5, 6, 7, 3, 1, 6, 0, 2, 7, 5, 4}
local shapes = {}
for i, k in ipairs(order) do shapes[i] = setmetatable({}, classes[k]) end
local total = 0
for round = 1, 200000 do
  for i = 1, #shapes do total = total + shapes[i]:area() end
end
print(total)
