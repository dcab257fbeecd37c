-- clock (shared snippet): the Redis server's time in milliseconds. Every server reads one clock,
-- so leases and deadlines written by one server mean the same to all of them.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
