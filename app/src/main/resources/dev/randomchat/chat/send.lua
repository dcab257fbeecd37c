-- send.lua: store, number and publish one chat message, exactly once per (sender, cmid).
--
-- KEYS (all in the channel's {id} hash slot): 1 meta HASH, 2 log LIST of message JSON,
--       3 cmids HASH "sender:cmid" -> seq, 4 files HASH, 5 presence HASH (both only refreshed
--       here, so they live as long as the channel), 6 topic
-- ARGV: 1 sender, 2 cmid, 3 JSON before the seq, 4 JSON after the seq, 5 MAX_MSGS, 6 ttl ms,
--       7 publish command (PUBLISH, or SPUBLISH on a Cluster)
-- Result: "ok:<seq>" new message, "dup:<seq>" cmid seen before (nothing stored),
--         "closed" channel ended, "gone" channel expired or never existed, "forbidden" not a member.
-- Atomic: numbering, storing and publishing happen together or not at all, so no crash can leave
-- a stored message unpublished, a gap in seq, or a duplicate for a retried cmid.
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
redis.call('RPUSH', log, message)
redis.call('LTRIM', log, -tonumber(ARGV[5]), -1)
redis.call('HSET', cmids, field, seq)
local ttl = tonumber(ARGV[6])
redis.call('PEXPIRE', meta, ttl)
redis.call('PEXPIRE', log, ttl)
redis.call('PEXPIRE', cmids, ttl)
redis.call('PEXPIRE', files, ttl)
redis.call('PEXPIRE', presence, ttl)
redis.call(ARGV[7], topic, 'm|' .. seq .. '|' .. sender .. '|' .. message)
return 'ok:' .. seq
