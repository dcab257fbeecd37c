-- over.lua: take note, once, of a call that ended with its channel (chat/leave.lua marked it).
--
-- KEYS: 1 the channel's call hash
-- Result: the state the call was in when the channel ended ("pending" or "active"), or "" when
--         there was none or another caller already took it.
-- Atomic because a call must be counted as ended once however many servers are told the channel
-- ended.
local c = redis.call('HMGET', KEYS[1], 'state', 'was')
if c[1] ~= 'over' then return '' end
redis.call('DEL', KEYS[1])
return c[2] or ''
