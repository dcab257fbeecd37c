-- send.lua: store, number and publish one chat message, exactly once per (sender, cmid).
--
-- KEYS (all in the channel's {id} hash slot): 1 meta HASH, 2 log LIST of message JSON,
--       3 cmids HASH "sender:cmid" -> seq, 4 files HASH, 5 presence HASH (both only refreshed
--       here, so they live as long as the channel), 6 topic
-- ARGV: 1 sender, 2 cmid, 3 JSON before the seq, 4 JSON after the seq, 5 MAX_MSGS, 6 ttl ms,
--       7 publish command (PUBLISH, or SPUBLISH on a Cluster)
-- Result: "ok:<seq>" new message, "dup:<seq>" cmid seen before (nothing stored),
--         "closed" channel ended, "gone" channel expired or never existed, "forbidden" not a member.
-- Atomic because numbering, storing and publishing must happen together or not at all: no crash
-- may leave a stored message unpublished, a gap in seq, or a duplicate for a retried cmid.
-- Bounded: a cmid is remembered exactly as long as its message is in the log. A message pushed out
-- of the log (past MAX_MSGS) takes its cmid out of the hash, so the hash never holds more than
-- MAX_MSGS entries (plus SLACK, should it ever hold entries of messages no longer in the log: it is
-- then rebuilt from the log). A retried cmid whose message has left the log is stored as new.
--#include envelope
local meta, log, cmids, files, presence, topic = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local sender, cmid = ARGV[1], ARGV[2]
local m = redis.call('HMGET', meta, 'a', 'b', 'closed')
if not m[1] then return 'gone' end
if m[3] then return 'closed' end
if sender ~= m[1] and sender ~= m[2] then return 'forbidden' end
local field = sender .. ':' .. cmid
local previous = redis.call('HGET', cmids, field)
if previous then return 'dup:' .. previous end
local seq = redis.call('HINCRBY', meta, 'seq', 1)
local message = ARGV[3] .. seq .. ARGV[4]
local max = tonumber(ARGV[5])
-- The sender and cmid of a stored message, as ChannelService writes them: ,"cmid":"..","from":"..".
local function fieldOf(stored)
  local c, f = string.match(stored, '"cmid":"([^"]*)","from":"([^"]*)"')
  return c and (f .. ':' .. c)
end
redis.call('RPUSH', log, message)
redis.call('HSET', cmids, field, seq)
while redis.call('LLEN', log) > max do
  local gone = fieldOf(redis.call('LPOP', log))
  if gone then redis.call('HDEL', cmids, gone) end
end
local SLACK = 16
if redis.call('HLEN', cmids) > max + SLACK then
  local kept = {}
  for _, stored in ipairs(redis.call('LRANGE', log, 0, -1)) do
    local f = fieldOf(stored)
    local s = f and redis.call('HGET', cmids, f)
    if s then kept[#kept + 1] = f; kept[#kept + 1] = s end
  end
  redis.call('DEL', cmids)
  for i = 1, #kept, 2 do redis.call('HSET', cmids, kept[i], kept[i + 1]) end
end
local ttl = tonumber(ARGV[6])
redis.call('PEXPIRE', meta, ttl)
redis.call('PEXPIRE', log, ttl)
redis.call('PEXPIRE', cmids, ttl)
redis.call('PEXPIRE', files, ttl)
redis.call('PEXPIRE', presence, ttl)
redis.call(ARGV[7], topic, envelope('m', seq, sender, message))
return 'ok:' .. seq
