-- leave.lua: end a channel for both guests.
--
-- KEYS: 1 meta, 2 log, 3 cmids, 4 presence, 5 files, 6 topic, 7 call (call/media.lua)
-- ARGV: 1 guest leaving (or "" when the channel is ended by the server), 2 reason ("left"),
--       3 ms to keep the closed channel's keys, 4 publish command, 5 the ended frame JSON
-- Result: "ok|<guest a>|<guest b>", "closed" already ended, "gone" no such channel,
--         "forbidden" not a member.
-- Atomic so exactly one `ended` is published however many sockets leave at once.
local meta, topic = KEYS[1], KEYS[6]
local m = redis.call('HMGET', meta, 'a', 'b', 'closed')
if not m[1] then return 'gone' end
if m[3] then return 'closed' end
local by = ARGV[1]
if by ~= '' and by ~= m[1] and by ~= m[2] then return 'forbidden' end
redis.call('HSET', meta, 'closed', ARGV[2], 'by', by)
for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3])) end
-- A call (requested or accepted) ends with the channel: its hangup is published before `ended`.
local call = redis.call('HMGET', KEYS[7], 'id', 'state')
if call[1] and call[2] ~= 'over' then
  redis.call(ARGV[4], topic, 's|0||{"type":"media","from":"server","action":"hangup","callId":"' .. call[1] .. '"}')
  redis.call('HSET', KEYS[7], 'state', 'over', 'was', call[2])
  redis.call('PEXPIRE', KEYS[7], tonumber(ARGV[3]))
end
redis.call(ARGV[4], topic, 'e|0|' .. by .. '|' .. ARGV[5])
return 'ok|' .. m[1] .. '|' .. m[2]
