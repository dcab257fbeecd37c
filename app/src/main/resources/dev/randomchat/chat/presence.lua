-- presence.lua: a server's view of who is present in a channel.
--
-- KEYS: 1 meta HASH, 2 presence HASH "guest|server" -> ms the entry was made, 3 topic
-- ARGV: 1 server, 2 ms the presence hash outlives meta, 3 publish command, 4 mode, 5.. per mode
--   mode "leave":  guest ARGV[5] has no socket on server ARGV[1] any more, since ARGV[6] ms ago;
--                  also used for a dead server's guests, ARGV[6] then counting from its lapse.
--   mode "here":   guests ARGV[5..] hold sockets of the channel on this server (it was taken for
--                  dead and is back): their entries are made again.
--   mode "check":  the channel's expiry: whether it still exists, and how long it has left.
-- An entry lives until its server removes it (the socket went) or another server removes it for
-- a server whose heartbeat lapsed (presence/); nothing is renewed while sockets idle.
-- Whenever a guest is left with no entry, the peer is sent presence offline, and the moment it
-- went away is kept in meta ("away:<guest>", ms) for the peer-gone check (leave.lua); a guest that
-- had none and gets one is announced online.
-- Result: "gone" (the channel expired: its sockets get `ended expired`), "away:<ms>" (open, and the
--         leaving guest has no socket anywhere since that moment), else "open:<meta ttl ms>" or
--         "closed:<meta ttl ms>".
-- Atomic because "last entry gone" must be decided once and announced once.
--#include clock
--#include presence-scan
--#include envelope
local meta, presence, topic = KEYS[1], KEYS[2], KEYS[3]
local server, slackMs, pub, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local m = redis.call('HMGET', meta, 'a', 'closed')
if not m[1] then
  redis.call('DEL', presence)
  return 'gone'
end
local ttl = redis.call('PTTL', meta)
local function keepWithMeta()
  if redis.call('EXISTS', presence) == 1 then redis.call('PEXPIRE', presence, math.max(ttl, 1000) + slackMs) end
end
local now = nowMs()
if mode == 'leave' then
  local guest = ARGV[5]
  if redis.call('HDEL', presence, guest .. '|' .. server) == 1 and not hasPresence(presence, guest) and not m[2] then
    redis.call(pub, topic, presenceEvent(guest, false))
    local away = now - tonumber(ARGV[6] or '0')
    redis.call('HSET', meta, 'away:' .. guest, away)
    return 'away:' .. away
  end
elseif mode == 'here' then
  for i = 5, #ARGV do
    local guest = ARGV[i]
    if not hasPresence(presence, guest) and not m[2] then
      redis.call(pub, topic, presenceEvent(guest, true))
    end
    redis.call('HSET', presence, guest .. '|' .. server, now)
  end
  keepWithMeta()
else
  keepWithMeta()
end
return (m[2] and 'closed:' or 'open:') .. ttl
