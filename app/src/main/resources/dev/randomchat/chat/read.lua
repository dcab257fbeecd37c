-- read.lua: a channel's state and its messages after a seq; on "join", also mark the guest present.
--
-- KEYS: 1 meta HASH, 2 log LIST, 3 presence HASH "guest|server" -> ms the entry was made, 4 topic
-- ARGV: 1 guest, 2 server, 3 after, 4 ms the presence hash outlives meta, 5 most messages to return, 6 publish command,
--       7 mode ("join" or "read"), 8 optional: most bytes of messages to return (a replay page;
--       at least one message is returned however large, so a page always makes progress),
--       9 optional, on "join": the joining socket's address key, kept as "ip:<guest>" for reports
-- Result: lines; the first is JSON {st="open"|"closed"|"gone", last, first, a, an, b, bn, ci,
--         sa, sb (seen watermarks), pon (the other guest is online)}, then one message per line
--         (message JSON never holds a raw newline).
-- Atomic because the state, the messages and the presence change must describe one moment.
--#include clock
--#include presence-scan
--#include envelope
local meta, log, presence, topic = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local guest, server, after = ARGV[1], ARGV[2], tonumber(ARGV[3])
local m = redis.call('HMGET', meta, 'a', 'an', 'b', 'bn', 'ci', 'seq', 'closed', 'seen:' .. (redis.call('HGET', meta, 'a') or ''), 'seen:' .. (redis.call('HGET', meta, 'b') or ''))
if not m[1] then return cjson.encode({st = 'gone'}) end
local last = tonumber(m[6])
local len = redis.call('LLEN', log)
local first = last - len + 1
local header = {st = m[7] and 'closed' or 'open', last = last, first = first, a = m[1], an = m[2], b = m[3],
  bn = m[4], ci = m[5] or '', sa = tonumber(m[8] or '0'), sb = tonumber(m[9] or '0')}
local peer = guest == m[1] and m[3] or m[1]

local now = nowMs()
header.pon = hasPresence(presence, peer)
if ARGV[7] == 'join' and not m[7] then
  if ARGV[9] and (guest == m[1] or guest == m[3]) then redis.call('HSET', meta, 'ip:' .. guest, ARGV[9]) end
  local was = hasPresence(presence, guest)
  redis.call('HSET', presence, guest .. '|' .. server, now)
  redis.call('PEXPIRE', presence, math.max(redis.call('PTTL', meta), 1000) + tonumber(ARGV[4]))
  if not was then
    redis.call(ARGV[6], topic, presenceEvent(guest, true))
  end
end

local out = {cjson.encode(header)}
local from = math.max(after - first + 1, 0)
local limit = tonumber(ARGV[5])
if from < len and limit > 0 then
  local items = redis.call('LRANGE', log, from, math.min(from + limit, len) - 1)
  local budget, used = tonumber(ARGV[8] or '0'), 0
  for _, item in ipairs(items) do
    if budget > 0 and used > 0 and used + #item > budget then break end
    used = used + #item
    out[#out + 1] = item
  end
end
return table.concat(out, '\n')
