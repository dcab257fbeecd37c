-- unpair.lua: a channel ended; its guests are free to match again, but not with each other
-- for a while (60 s after a leave, BLOCK_TTL_DAYS after a block or report).
--
-- KEYS: 1 current HASH, 2 currentExp ZSET, 3 avoid ZSET (see match.lua)
-- ARGV: 1 guest a, 2 guest b, 3 channel id, 4 avoid ms, 5 ttl ms of the queue keys
-- Result: "1".
-- Atomic because a concurrent match must never see one guest freed and the other not.
--#include clock
local current, currentExp, avoid = KEYS[1], KEYS[2], KEYS[3]
local a, b, channelId, avoidMs, keyTtl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local now = nowMs()
for _, g in ipairs({a, b}) do
  local raw = redis.call('HGET', current, g)
  if raw and cjson.decode(raw).c == channelId then
    redis.call('HDEL', current, g)
    redis.call('ZREM', currentExp, g)
  end
end
local x, y = a, b
if y < x then x, y = y, x end
redis.call('ZADD', avoid, 'GT', now + avoidMs, x .. '|' .. y)
redis.call('PEXPIRE', avoid, math.max(keyTtl, avoidMs))
return '1'
