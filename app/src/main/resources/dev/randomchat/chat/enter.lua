-- enter.lua: record a freshly made pair's channel (idempotent) and mark present the guests whose
-- sockets this server is about to attach, in one step.
--
-- KEYS: 1 meta HASH {a, an, b, bn, ci, seq, closed, by, seen:<guest>, ip:<guest>},
--       2 presence HASH "guest|server" -> ms the entry was made, 3 topic
-- ARGV: 1 guest a, 2 name a, 3 guest b, 4 name b, 5 common interests, 6 ttl ms, 7 server,
--       8 ms the presence hash outlives meta, 9 publish command, 10.. guests entering on this server
--       as "<guest>|<address key>" (none: only record); the address is kept as "ip:<guest>" for reports
-- Result: "closed", or "open:<last seq>" (sockets attach live from that seq).
-- A guest coming online is announced to its peer only when the peer was online already: a peer
-- that was not has no socket attached anywhere to hear it, and learns it when it joins.
-- Atomic because two servers telling the same pair must never write two different channels, and
-- the presence change must be decided once.
--#include clock
--#include envelope
local meta, presence, topic = KEYS[1], KEYS[2], KEYS[3]
if redis.call('HGET', meta, 'closed') then return 'closed' end
if redis.call('HSETNX', meta, 'a', ARGV[1]) == 1 then
  redis.call('HSET', meta, 'an', ARGV[2], 'b', ARGV[3], 'bn', ARGV[4], 'ci', ARGV[5], 'seq', 0)
  redis.call('PEXPIRE', meta, tonumber(ARGV[6]))
end
local m = redis.call('HMGET', meta, 'a', 'b', 'seq')
if #ARGV >= 10 then
  local now = nowMs()
  local online = {}
  local fields = redis.call('HGETALL', presence)
  for i = 1, #fields, 2 do
    online[string.match(fields[i], '^(.-)|')] = true
  end
  local server = ARGV[7]
  local entering = {}
  for i = 10, #ARGV do
    local guest, address = string.match(ARGV[i], '^(.-)|(.*)$')
    entering[#entering + 1] = guest
    redis.call('HSET', presence, guest .. '|' .. server, now)
    redis.call('HSET', meta, 'ip:' .. guest, address)
  end
  redis.call('PEXPIRE', presence, math.max(redis.call('PTTL', meta), 1000) + tonumber(ARGV[8]))
  for _, guest in ipairs(entering) do
    local peer = guest == m[1] and m[2] or m[1]
    if not online[guest] and online[peer] then
      online[guest] = true
      redis.call(ARGV[9], topic, presenceEvent(guest, true))
    end
  end
end
return 'open:' .. m[3]
