-- heartbeat.lua: a server says it is alive, and for how long its guests count as present.
--
-- KEYS (all in the {p} hash slot): 1 servers ZSET server -> lease expiry ms,
--       2 this server's guests SET, 3 online HASH guest -> number of servers holding a socket of it
-- ARGV: 1 server id, 2 lease ms, 3 ttl ms of the keys (refreshed here, so they vanish when every
--       server is gone)
-- Result: "new" when the server was not registered (first beat, or it was taken for dead: its
--         guests must be registered again), else "ok".
-- Atomic because a beat must never interleave with another server releasing this one's guests.
--#include clock
local now = nowMs()
local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local ttl = tonumber(ARGV[3])
for i = 1, 3 do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return added == 1 and 'new' or 'ok'
