-- Build, interpolate, split and join strings.
local total = 0
for round = 0, 1999 do
  local parts = {}
  for i = 0, 49 do parts[#parts + 1] = "item-" .. i .. ":" .. (i * round) end
  local line = table.concat(parts, ",")
  local fields = {}
  for f in string.gmatch(line, "([^,]*)") do fields[#fields + 1] = f end
  -- gmatch with * yields an empty match after each field in Lua 5.4: count fields properly
  local n = 0
  for _ in string.gmatch(line, "[^,]+") do n = n + 1 end
  total = total + n + #line
end
print(total)
