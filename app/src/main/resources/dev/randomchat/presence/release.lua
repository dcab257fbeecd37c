-- release.lua: take a chunk of a lapsed server's guests: they no longer count as online there.
--
-- KEYS ({p} slot): 1 servers ZSET, 2 the lapsed server's guests SET, 3 online HASH
-- ARGV: 1 lapsed server id, 2 most guests to take
-- Result: the guests taken, comma-joined ("" none). When the set is empty the server is forgotten.
-- Atomic because each guest of a dead server must be taken (SPOP) by exactly one server, and a
-- server whose heartbeat came back meanwhile (score in the future again) must be left alone.
--#include clock
local now = nowMs()
local lease = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not lease or tonumber(lease) > now then return '' end
local taken = redis.call('SPOP', KEYS[2], tonumber(ARGV[2]))
for _, guest in ipairs(taken) do
  if redis.call('HINCRBY', KEYS[3], guest, -1) <= 0 then redis.call('HDEL', KEYS[3], guest) end
end
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[1]) end
return table.concat(taken, ',')
