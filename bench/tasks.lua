-- Many tasks ping-ponging through channels: a ring of 100 coroutines passes
-- a counter around until it has made 200,000 hops. A small scheduler with
-- a ready queue and one-slot channels, as a Lua program would write it.
local TASKS, HOPS = 100, 200000

local ready, head, tail = {}, 1, 0
local function schedule(co) tail = tail + 1; ready[tail] = co end

local function channel() return {has = false, value = nil, receivers = {}, senders = {}} end

local function wake(list)
  if #list > 0 then schedule(table.remove(list, 1)) end
end

local function send(ch, v)
  while ch.has do
    ch.senders[#ch.senders + 1] = coroutine.running()
    coroutine.yield()
  end
  ch.has, ch.value = true, v
  wake(ch.receivers)
end

local function receive(ch)
  while not ch.has do
    ch.receivers[#ch.receivers + 1] = coroutine.running()
    coroutine.yield()
  end
  local v = ch.value
  ch.has, ch.value = false, nil
  wake(ch.senders)
  return v
end

local channels = {}
for i = 1, TASKS do channels[i] = channel() end
local result
for i = 1, TASKS do
  local input, output = channels[i], channels[i % TASKS + 1]
  schedule(coroutine.create(function()
    while true do
      local v = receive(input)
      if v == HOPS then result = v; return end
      send(output, v + 1)
    end
  end))
end
schedule(coroutine.create(function() send(channels[1], 0) end))
while head <= tail and not result do
  local co = ready[head]; ready[head] = nil; head = head + 1
  coroutine.resume(co)
end
print(result)
