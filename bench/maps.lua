-- A map with 100k string keys: insert, look up, update.
local m = {}
local count = 0
for i = 0, 99999 do m["key" .. i] = i; count = count + 1 end
local sum = 0
for i = 0, 99999, 3 do sum = sum + m["key" .. i] end
for i = 0, 99999, 2 do m["key" .. i] = 0 end
local total = 0
for k, v in pairs(m) do total = total + v end
print(sum .. " " .. total .. " " .. count)
