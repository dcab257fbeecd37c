-- quota.lua: reserve room for one file in a channel's upload quota, or check that there is some.
--
-- KEYS (all in the channel's {id} hash slot): 1 meta HASH, 2 files HASH fileId -> file JSON
--       (with "size"), 3 held HASH reservation id -> "<bytes>|<until ms>"
-- ARGV: 1 reservation id, the file's id ("" only checks), 2 bytes, 3 MAX_CHANNEL_FILES, 4 MAX_CHANNEL_UPLOAD_BYTES,
--       5 now ms, 6 how long a reservation is held at most (ms)
-- Result: "ok", "closed" (the channel ended or expired), "files" or "bytes" (that quota is used up).
-- What a channel uses is read from its own files hash, so it lives and expires with the channel;
-- only uploads under way are held apart, until they are recorded or fail (or their server died and
-- the hold ran out).
-- Atomic because concurrent uploads must never together pass a quota.
local meta, files, held = KEYS[1], KEYS[2], KEYS[3]
local m = redis.call('HMGET', meta, 'a', 'closed')
if not m[1] or m[2] then return 'closed' end
local now = tonumber(ARGV[5])
local count, bytes = 0, 0
for _, file in ipairs(redis.call('HVALS', files)) do
  count = count + 1
  bytes = bytes + (tonumber(cjson.decode(file).size) or 0)
end
local holds = redis.call('HGETALL', held)
for i = 1, #holds, 2 do
  local size, untilMs = string.match(holds[i + 1], '^(%d+)|(%d+)$')
  if not untilMs or tonumber(untilMs) <= now or redis.call('HEXISTS', files, holds[i]) == 1 then
    -- Lapsed, or its file is recorded already (a hold is named by its file's id): spent.
    redis.call('HDEL', held, holds[i])
  else
    count = count + 1
    bytes = bytes + tonumber(size)
  end
end
local size = tonumber(ARGV[2])
if count + 1 > tonumber(ARGV[3]) then return 'files' end
if bytes + size > tonumber(ARGV[4]) then return 'bytes' end
if ARGV[1] ~= '' then
  local hold = tonumber(ARGV[6])
  redis.call('HSET', held, ARGV[1], size .. '|' .. (now + hold))
  local ttl = redis.call('PTTL', meta)
  if ttl < 0 or ttl > hold then ttl = hold end
  redis.call('PEXPIRE', held, math.max(ttl, 1000))
end
return 'ok'
