-- aftermath.lua: what a guest may still do about a channel: report or block its peer.
--
-- KEYS: 1 meta HASH (see enter.lua and leave.lua), 2 log LIST
-- ARGV: 1 guest, 2 report window ms, 3 messages to return as evidence (the newest)
-- Result: "gone" no such channel (expired), "forbidden" not a member, "late" ended longer than the
--         window ago, or "open|<peer>" / "ended|<peer>", then a line of JSON with both guests' names
--         and last addresses in the channel {a, an, ia, b, bn, ib} (see enter.lua), then one message
--         per line.
-- Atomic because the state and the evidence must describe one moment.
--#include clock
local m = redis.call('HMGET', KEYS[1], 'a', 'b', 'closed', 'at', 'an', 'bn')
if not m[1] then return 'gone' end
local guest = ARGV[1]
if guest ~= m[1] and guest ~= m[2] then return 'forbidden' end
local status = 'open'
if m[3] then
  local now = nowMs()
  if m[4] and now - tonumber(m[4]) > tonumber(ARGV[2]) then return 'late' end
  status = 'ended'
end
local ips = redis.call('HMGET', KEYS[1], 'ip:' .. m[1], 'ip:' .. m[2])
local guests = {a = m[1], an = m[5], ia = ips[1], b = m[2], bn = m[6], ib = ips[2]}
local out = {status .. '|' .. (guest == m[1] and m[2] or m[1]), cjson.encode(guests)}
local count = tonumber(ARGV[3])
if count > 0 then
  for _, item in ipairs(redis.call('LRANGE', KEYS[2], -count, -1)) do out[#out + 1] = item end
end
return table.concat(out, '\n')
