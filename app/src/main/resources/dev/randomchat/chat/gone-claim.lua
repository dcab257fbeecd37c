-- gone-claim.lua: take the peer-gone deadlines that are due, so exactly one server checks each.
--
-- KEYS: 1 deadlines ZSET "channelId|guestId|deadServer" -> due ms (deadServer "" when the guest's
--       last socket closed; a server id when that server's presence lapsed)
-- ARGV: 1 most deadlines to take
-- Result: the due members, newline-joined ("" none).
-- Atomic because two servers ticking at once must never both take one deadline.
--#include clock
local now = nowMs()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return table.concat(due, '\n')
