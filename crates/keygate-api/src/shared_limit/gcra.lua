-- GCRA (the generic cell rate algorithm, as governor runs it in memory) over a category's
-- stacked windows, decided atomically on Redis's clock so every keygate process shares one budget.
--
-- KEYS[i]   window i's theoretical arrival time (TAT), in microseconds of Redis's clock
-- ARGV[1]   calls to count: 1 for a check; n to charge n calls, as far as the budget goes
-- ARGV[2i]  window i's emission interval T (period / count), in microseconds
-- ARGV[2i+1] window i's tolerance tau = T * (count - 1), in microseconds
--
-- A call is counted only when every window allows it (a refused call uses up nothing).
-- Returns {1, remaining_1, ..., remaining_n} when the last call was allowed, or
-- {0, i - 1, wait_us} when window i refused it (wait_us: until that window allows one again).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local calls = tonumber(ARGV[1])
local n = #KEYS
local tat, t, tau = {}, {}, {}
for i = 1, n do
  t[i] = tonumber(ARGV[2 * i])
  tau[i] = tonumber(ARGV[2 * i + 1])
  local stored = redis.call('GET', KEYS[i])
  tat[i] = stored and tonumber(stored) or now
end

local answer = {1}
local counted = 0
for _ = 1, calls do
  for i = 1, n do
    local earliest = tat[i] - tau[i]
    if now < earliest then
      answer = {0, i - 1, earliest - now}
      break
    end
  end
  if answer[1] == 0 then
    break
  end
  for i = 1, n do
    tat[i] = math.max(tat[i], now) + t[i]
    answer[i + 1] = math.floor((now + tau[i] + t[i] - tat[i]) / t[i])
  end
  counted = counted + 1
end

if counted > 0 then
  for i = 1, n do
    -- The key expires when the window is full again: a missing key means exactly that.
    local ttl_ms = math.ceil((tat[i] - now) / 1000) + 1
    redis.call('SET', KEYS[i], string.format('%.0f', tat[i]), 'PX', string.format('%.0f', ttl_ms))
  end
end
return answer
