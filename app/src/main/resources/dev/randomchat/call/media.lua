-- media.lua: one call's state (video and voice, protocol 7.2), and the relay of its frames.
--
-- KEYS: 1 the channel's meta, 2 the channel's call hash, 3 the channel's topic
-- ARGV: 1 guest, 2 action (request, accept, decline, hangup or signal), 3 callId,
--       4 kinds ("audio,video"; request and accept), 5 publish command,
--       6 the frame for the peer's sockets (JSON), 7 ms the call state lives unless used again
-- The call hash: id, from (the requester), kinds, state ("pending", "active"; "over" once the
-- channel ended, see chat/leave.lua).
-- Result: "ok|<what happened>" with requested, replaced (a pending request gave way to this one),
--         accepted, declined, cancelled (hung up before it was accepted), hungup, relayed or none
--         (a hangup of a call that is not there); else closed, forbidden, busy, no_request, no_call.
-- Atomic because both guests' servers must see one state whichever servers they are on, and each
-- frame must be published only in a state that allows it, in the order the scripts ran.
--#include envelope
local meta, call, topic = KEYS[1], KEYS[2], KEYS[3]
local guest, action, id = ARGV[1], ARGV[2], ARGV[3]
local m = redis.call('HMGET', meta, 'a', 'b', 'closed')
if not m[1] or m[3] then return 'closed' end
if guest ~= m[1] and guest ~= m[2] then return 'forbidden' end
local c = redis.call('HMGET', call, 'id', 'from', 'state')
local outcome
if action == 'signal' then
  if c[1] ~= id or c[3] ~= 'active' then return 'no_call' end
  outcome = 'relayed'
elseif action == 'request' then
  if c[3] == 'active' then return 'busy' end
  outcome = c[1] and 'replaced' or 'requested'
  redis.call('DEL', call)
  redis.call('HSET', call, 'id', id, 'from', guest, 'kinds', ARGV[4], 'state', 'pending')
elseif action == 'accept' then
  if c[1] ~= id or c[3] ~= 'pending' or c[2] == guest then return 'no_request' end
  redis.call('HSET', call, 'state', 'active', 'kinds', ARGV[4])
  outcome = 'accepted'
elseif action == 'decline' then
  if c[1] ~= id or c[3] ~= 'pending' or c[2] == guest then return 'no_request' end
  redis.call('DEL', call)
  outcome = 'declined'
else
  -- hangup, by either guest: a request withdrawn, or a call ended
  if c[1] ~= id then return 'ok|none' end
  redis.call('DEL', call)
  outcome = c[3] == 'active' and 'hungup' or 'cancelled'
end
if redis.call('EXISTS', call) == 1 then redis.call('PEXPIRE', call, tonumber(ARGV[7])) end
redis.call(ARGV[5], topic, envelope('s', 0, guest, ARGV[6]))
return 'ok|' .. outcome
