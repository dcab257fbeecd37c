-- lapsed.lua: the servers whose heartbeat lease ran out (they died, or lost Redis for that long).
--
-- KEYS ({p} slot): 1 servers ZSET server -> lease expiry ms
-- ARGV: 1 most servers to return
-- Result: "server|lapsedAtMs" per line ("" none). Nothing is taken here: release.lua takes each
--         guest of a lapsed server once, whoever runs it.
-- Atomic because it is one read against the Redis clock; it changes nothing.
--#include clock
local now = nowMs()
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for i = 1, #found, 2 do out[#out + 1] = found[i] .. '|' .. found[i + 1] end
return table.concat(out, '\n')
