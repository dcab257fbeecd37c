-- presence.lua: a server's view of who is present in a channel.
--
-- KEYS: 1 meta HASH, 2 presence HASH "guest|server" -> lease expiry ms, 3 topic
-- ARGV: 1 server, 2 lease ms, 3 publish command, 4 mode, 5.. guests
--   mode "leave": guest ARGV[5] has no socket here any more (since ARGV[6] ms ago): drop its
--                 entry for this server.
--   mode "tick":  renew this server's entries for the guests ARGV[5..] and drop expired entries
--                 of any server (one that died stops renewing).
-- Whenever a guest is left with no live entry, the peer is sent presence offline; on "leave" the
-- moment it went away is also kept in meta ("away:<guest>", ms) for the peer-gone check (leave.lua).
-- Result: "open", "closed", "gone" (the channel expired: its sockets get `ended expired`), or
--         "away:<ms>" (open, and the leaving guest has no socket anywhere since that moment).
-- Atomic so "last entry gone" is decided once and announced once.
local meta, presence, topic = KEYS[1], KEYS[2], KEYS[3]
local server, leaseMs, pub, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local m = redis.call('HMGET', meta, 'a', 'closed')
if not m[1] then
  redis.call('DEL', presence)
  return 'gone'
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local touched = {}
if mode == 'leave' then
  redis.call('HDEL', presence, ARGV[5] .. '|' .. server)
  touched[ARGV[5]] = true
else
  for i = 5, #ARGV do
    redis.call('HSET', presence, ARGV[i] .. '|' .. server, now + leaseMs)
  end
  local fields = redis.call('HGETALL', presence)
  for i = 1, #fields, 2 do
    if tonumber(fields[i + 1]) <= now then
      redis.call('HDEL', presence, fields[i])
      touched[string.match(fields[i], '^(.-)|')] = true
    end
  end
  redis.call('PEXPIRE', presence, math.max(redis.call('PTTL', meta), 1000))
end
local away
local fields = redis.call('HGETALL', presence)
for g, _ in pairs(touched) do
  local live = false
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, #g + 1) == g .. '|' and tonumber(fields[i + 1]) > now then live = true end
  end
  if not live and not m[2] then
    redis.call(pub, topic, 'o|0|' .. g .. '|{"type":"presence","peerOnline":false}')
    if mode == 'leave' then
      away = now - tonumber(ARGV[6] or '0')
      redis.call('HSET', meta, 'away:' .. g, away)
    end
  end
end
if away then return 'away:' .. away end
return m[2] and 'closed' or 'open'
