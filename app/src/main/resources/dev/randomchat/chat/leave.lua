-- leave.lua: end a channel for both guests; with the "gone" condition, only if a guest is gone.
--
-- KEYS: 1 meta, 2 log, 3 cmids, 4 presence, 5 files, 6 topic, 7 call (call/media.lua)
-- ARGV: 1 guest leaving (or "" when the channel is ended by the server), 2 reason ("left", "gone"),
--       3 ms to keep the closed channel's keys (the report window, at least), 4 publish command,
--       5 the ended frame JSON,
--       6 (optional) "gone": end only if guest ARGV[1] has no presence entry and has been away
--         ARGV[8] ms; 7 a dead server whose entries for the guest are stale ("" none), 8 gone ms
-- Result: "ok|<guest a>|<guest b>", "closed" already ended, "gone" no such channel,
--         "forbidden" not a member; with the condition also "present" (the guest is back) or
--         "later:<ms>" (away, but only since a later moment: check again then).
-- The end time is kept in meta ("at", ms) so reports and blocks know when the window closes.
-- Atomic because exactly one `ended` must be published however many sockets leave at once, and a
-- guest who comes back must never be ended as gone.
--#include clock
--#include presence-scan
--#include envelope
local meta, presence, topic = KEYS[1], KEYS[4], KEYS[6]
local m = redis.call('HMGET', meta, 'a', 'b', 'closed')
if not m[1] then return 'gone' end
if m[3] then return 'closed' end
local by = ARGV[1]
if by ~= '' and by ~= m[1] and by ~= m[2] then return 'forbidden' end
local now = nowMs()
if ARGV[6] == 'gone' then
  if ARGV[7] ~= '' then redis.call('HDEL', presence, by .. '|' .. ARGV[7]) end
  if hasPresence(presence, by) then return 'present' end
  local away = tonumber(redis.call('HGET', meta, 'away:' .. by) or '0')
  local due = away + tonumber(ARGV[8])
  if due > now then return 'later:' .. due end
end
redis.call('HSET', meta, 'closed', ARGV[2], 'by', by, 'at', now)
for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3])) end
-- A call (requested or accepted) ends with the channel: its hangup is published before `ended`.
local call = redis.call('HMGET', KEYS[7], 'id', 'state')
if call[1] and call[2] ~= 'over' then
  redis.call(ARGV[4], topic, envelope('s', 0, '', '{"type":"media","from":"server","action":"hangup","callId":"' .. call[1] .. '"}'))
  redis.call('HSET', KEYS[7], 'state', 'over', 'was', call[2])
  redis.call('PEXPIRE', KEYS[7], tonumber(ARGV[3]))
end
redis.call(ARGV[4], topic, envelope('e', 0, by, ARGV[5]))
return 'ok|' .. m[1] .. '|' .. m[2]
