-- online.lua: guests whose first socket on a server opened, or whose last one closed, in one batch.
--
-- KEYS ({p} slot): 1 this server's guests SET, 2 online HASH guest -> servers holding a socket of it
-- ARGV: 1 ttl ms of the keys, then one entry per guest: "+<guest id>" (has a socket here now) or
--       "-<guest id>" (has none here now)
-- Result: how many entries changed the server's set.
-- Atomic because the per-server set and the count across servers must never disagree. An entry
-- that says what the set already holds changes nothing, so a batch may be sent again safely.
local guests, online = KEYS[1], KEYS[2]
local changed = 0
for i = 2, #ARGV do
  local entry = ARGV[i]
  local guest = string.sub(entry, 2)
  if string.sub(entry, 1, 1) == '+' then
    if redis.call('SADD', guests, guest) == 1 then
      redis.call('HINCRBY', online, guest, 1)
      changed = changed + 1
    end
  elseif redis.call('SREM', guests, guest) == 1 then
    if redis.call('HINCRBY', online, guest, -1) <= 0 then redis.call('HDEL', online, guest) end
    changed = changed + 1
  end
end
if changed > 0 then
  local ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', guests, ttl)
  redis.call('PEXPIRE', online, ttl)
end
return tostring(changed)
