-- in-flight.lua: take one of a guest's upload slots, shared by every server.
--
-- KEYS: 1 the guest's slots HASH upload id -> until ms
-- ARGV: 1 upload id, 2 UPLOADS_IN_FLIGHT, 3 now ms, 4 how long a slot is held at most (ms)
-- Result: "ok" (the slot is taken; delete the field to give it back), or "busy".
-- A slot whose server died runs out after the hold, the longest an upload may take.
-- Atomic because concurrent uploads of one guest on several servers must never together take more
-- slots than allowed.
local slots = KEYS[1]
local now = tonumber(ARGV[3])
local taken = redis.call('HGETALL', slots)
local count = 0
for i = 1, #taken, 2 do
  if tonumber(taken[i + 1]) <= now then
    redis.call('HDEL', slots, taken[i])
  else
    count = count + 1
  end
end
if count >= tonumber(ARGV[2]) then return 'busy' end
local hold = tonumber(ARGV[4])
redis.call('HSET', slots, ARGV[1], now + hold)
redis.call('PEXPIRE', slots, hold)
return 'ok'
