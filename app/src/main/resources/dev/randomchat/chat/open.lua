-- open.lua: record a new channel (idempotent), or say what state an existing one is in.
--
-- KEYS: 1 meta HASH {a, an, b, bn, ci, seq, closed, by, seen:<guest>}
-- ARGV: 1 guest a, 2 name a, 3 guest b, 4 name b, 5 common interests, 6 ttl ms
-- Result: "open" or "closed".
-- Atomic so two servers telling the same pair never write two different channels.
local meta = KEYS[1]
local closed = redis.call('HGET', meta, 'closed')
if closed then return 'closed' end
if redis.call('HSETNX', meta, 'a', ARGV[1]) == 1 then
  redis.call('HSET', meta, 'an', ARGV[2], 'b', ARGV[3], 'bn', ARGV[4], 'ci', ARGV[5], 'seq', 0)
  redis.call('PEXPIRE', meta, tonumber(ARGV[6]))
end
return 'open'
