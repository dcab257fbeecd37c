-- gone-claim.lua: take the peer-gone deadlines that are due, so exactly one server checks each.
--
-- KEYS: 1 deadlines ZSET "channelId|guestId|deadServer" -> due ms (deadServer "" when the guest's
--       last socket closed; a server id when that server's presence lapsed)
-- ARGV: 1 most deadlines to take
-- Result: a first line "<in>", the milliseconds until the earliest deadline left (0: more are due
--         now, -1: none left), then the due members, one per line.
-- Atomic because two servers ticking at once must never both take one deadline.
--#include clock
local now = nowMs()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local nextIn = -1
if first[2] then nextIn = math.max(0, math.floor(tonumber(first[2]) - now)) end
if #due == 0 then return tostring(nextIn) end
return nextIn .. '\n' .. table.concat(due, '\n')
