-- unwait.lua: a server gives up its lease on a waiter (its last waiting socket closed), or the
-- guest cancels (every lease goes).
--
-- KEYS: 1 queue ZSET, 2 waiters HASH, 3 tagged ZSET (see match.lua)
-- ARGV: 1 guest id, 2 server id, 3 "all" to remove the guest whatever other servers hold
-- Result: "1" if the guest left the queue, "0" if it was not waiting or still is elsewhere.
-- Atomic because a concurrent match must never pair a half-removed waiter.
--#include clock
--#include tagged
local queue, waiters, tagged = KEYS[1], KEYS[2], KEYS[3]
local me, server, all = ARGV[1], ARGV[2], ARGV[3] == 'all'
local raw = redis.call('HGET', waiters, me)
if not raw then return '0' end
local w = cjson.decode(raw)
w.l[server] = nil
local now = nowMs()
local alive = false
for _, expiry in pairs(w.l) do
  if tonumber(expiry) > now then alive = true end
end
if alive and not all then
  redis.call('HSET', waiters, me, cjson.encode(w))
  return '0'
end
redis.call('ZREM', queue, me)
redis.call('HDEL', waiters, me)
for _, tag in ipairs(w.i) do
  redis.call('ZREM', tagged, taggedMember(tag, w.t, me))
end
return '1'
