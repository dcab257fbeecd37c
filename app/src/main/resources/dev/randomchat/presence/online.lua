-- online.lua: a guest's first socket on a server opened ("up"), or its last one closed ("down").
--
-- KEYS ({p} slot): 1 this server's guests SET, 2 online HASH guest -> servers holding a socket of it
-- ARGV: 1 "up" or "down", 2 guest id, 3 ttl ms of the keys
-- Result: "1" if the server's set changed, else "0".
-- Atomic because the per-server set and the count across servers must never disagree.
local guests, online, guest = KEYS[1], KEYS[2], ARGV[2]
if ARGV[1] == 'up' then
  if redis.call('SADD', guests, guest) == 0 then return '0' end
  redis.call('HINCRBY', online, guest, 1)
  redis.call('PEXPIRE', guests, tonumber(ARGV[3]))
  redis.call('PEXPIRE', online, tonumber(ARGV[3]))
  return '1'
end
if redis.call('SREM', guests, guest) == 0 then return '0' end
if redis.call('HINCRBY', online, guest, -1) <= 0 then redis.call('HDEL', online, guest) end
return '1'
