-- seen.lua: move a guest's seen watermark forward and tell the peer.
--
-- KEYS: 1 meta HASH, 2 topic
-- ARGV: 1 guest, 2 seq, 3 publish command
-- Result: "ok" moved, "same" at or below the watermark (nothing relayed), "beyond" after the last
--         message, "gone" no such channel.
-- Atomic because two sockets of one guest must never move the watermark backwards (the check
-- and the write are one step).
--#include envelope
local meta, topic = KEYS[1], KEYS[2]
local guest, seq = ARGV[1], tonumber(ARGV[2])
local last = redis.call('HGET', meta, 'seq')
if not last then return 'gone' end
if seq > tonumber(last) then return 'beyond' end
local field = 'seen:' .. guest
if seq <= tonumber(redis.call('HGET', meta, field) or '0') then return 'same' end
redis.call('HSET', meta, field, seq)
redis.call(ARGV[3], topic, envelope('s', 0, guest, '{"type":"seen","by":' .. cjson.encode(guest) .. ',"seq":' .. seq .. '}'))
return 'ok'
