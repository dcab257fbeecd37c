-- add-file.lua: record an uploaded file as belonging to an open channel.
--
-- KEYS: 1 meta HASH, 2 files HASH fileId -> file JSON {id, name, size, contentType, url}
-- ARGV: 1 file id, 2 file JSON
-- Result: "ok", or "closed" when the channel ended or expired (the upload must be discarded).
-- Atomic because a file must never be recorded on a channel that a concurrent leave just closed.
local m = redis.call('HMGET', KEYS[1], 'a', 'closed')
if not m[1] or m[2] then return 'closed' end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], math.max(redis.call('PTTL', KEYS[1]), 1000))
return 'ok'
