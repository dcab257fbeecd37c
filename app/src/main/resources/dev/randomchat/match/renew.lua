-- renew.lua: a server renews its lease on the waiters whose sockets it holds.
--
-- KEYS: 1 waiters HASH (see match.lua), 2 queue ZSET
-- ARGV: 1 server id, 2 lease ms, 3 ttl ms of the queue keys, 4.. guest ids
-- Result: the ids, comma-joined, of those guests that are no longer waiting (paired or removed),
--         so the server can tell their sockets.
-- Atomic because a lease must never be written back over a waiter that match.lua just removed.
--#include clock
local waiters, queue = KEYS[1], KEYS[2]
local server, leaseMs, keyTtl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = nowMs()
local gone = {}
for i = 4, #ARGV do
  local g = ARGV[i]
  local raw = redis.call('HGET', waiters, g)
  if raw then
    local w = cjson.decode(raw)
    w.l[server] = now + leaseMs
    redis.call('HSET', waiters, g, cjson.encode(w))
  else
    gone[#gone + 1] = g
  end
end
redis.call('PEXPIRE', waiters, keyTtl)
redis.call('PEXPIRE', queue, keyTtl)
return table.concat(gone, ',')
