-- POST /api/v1/ping with a fresh random, well-formed but unknown 64-hex key on every request.
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

local function hex64()
  local parts = {}
  for i = 1, 8 do
    parts[i] = string.format("%08x", math.random(0, 0x7fffffff) * 2 + math.random(0, 1))
  end
  return table.concat(parts)
end

function request()
  local body = '{"apikey":"' .. hex64() .. '"}'
  return wrk.format("POST", "/api/v1/ping", {["Content-Type"] = "application/json"}, body)
end
