-- match.lua: put a guest in the waiting queue, or pair it with a waiter, in one atomic step.
--
-- KEYS (all in the {q} hash slot, so the script runs on one node of a Cluster):
--   1 queue       ZSET  guest -> ticket (arrival order, FIFO)
--   2 waiters     HASH  guest -> JSON {t=ticket, s=sinceMs, n=name, i=[tags], l={server=leaseExpiryMs}}
--   3 tagged      ZSET  (score 0, lexicographic) "tag|ticket|guest" for every waiter's tag
--   4 current     HASH  guest -> JSON {c=channelId, p=peerId, n=peerName, ci="common,tags"}
--   5 currentExp  ZSET  guest -> expiry of its current entry (ms)
--   6 avoid       ZSET  "a|b" (ids sorted) -> ms until which the two must not be paired
--   7 ticket      STRING counter handing out tickets
--   8 daily       HASH  guest -> matches made today (the key name carries the date)
--   9 minute      STRING the guest's join-and-match counter for this minute (JOINS_PER_MINUTE)
-- ARGV: 1 guest id, 2 name, 3 server id, 4 lease ms, 5 interest wait ms, 6 tags (JSON array),
--       7 channel id to use if a pair is made, 8 current-entry ttl ms, 9 daily limit (0 = none),
--       10 ttl ms of the queue keys (refreshed on every call, so an idle queue vanishes),
--       11 per-minute limit of the counter (0: this call is not counted, a retry), 12 seconds the
--       counter lives
-- Result: JSON {r="current", v=<current JSON>} | {r="limited"} (daily) | {r="busy"} (this
--         minute's joins and matches used up) | {r="waiting", s=sinceMs}
--         | {r="matched", c, p, n, ci, ms="servers of the guest", ps="servers of the peer"}
--
-- Atomic because Redis runs a script alone: no other match can pop the same waiter, a guest is
-- queued at most once (one waiters field), and a pair is recorded in `current` before anyone
-- is told, so a retried match returns it. A waiter counts only while one of its servers' leases
-- is live: a server that dies stops renewing, and its waiters are skipped and dropped.
--#include clock
--#include tagged
--#include window
local queue, waiters, tagged, current, currentExp, avoid, ticketKey, daily =
    KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
-- The match frame counts against the guest's joins and matches of the minute, in this same step.
local perMinute = tonumber(ARGV[11])
if perMinute > 0 and countInWindow(KEYS[9], ARGV[12]) > perMinute then
  return cjson.encode({r = 'busy'})
end
local me, name, server = ARGV[1], ARGV[2], ARGV[3]
local leaseMs, waitMs = tonumber(ARGV[4]), tonumber(ARGV[5])
local myTags = cjson.decode(ARGV[6])
local channelId, currentTtl, limit, keyTtl = ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])

local now = nowMs()

-- Housekeeping, a little per call: expired pairs and expired avoid entries.
for _, g in ipairs(redis.call('ZRANGEBYSCORE', currentExp, '-inf', now, 'LIMIT', 0, 20)) do
  redis.call('HDEL', current, g)
  redis.call('ZREM', currentExp, g)
end
redis.call('ZREMRANGEBYSCORE', avoid, '-inf', now)

local cur = redis.call('HGET', current, me)
if cur then
  return cjson.encode({r = 'current', v = cur})
end
if limit > 0 and tonumber(redis.call('HGET', daily, me) or '0') >= limit then
  return cjson.encode({r = 'limited'})
end

local function alive(w)
  for _, expiry in pairs(w.l) do
    if tonumber(expiry) > now then return true end
  end
  return false
end
local function servers(w)
  local list = {}
  for srv, expiry in pairs(w.l) do
    if tonumber(expiry) > now then list[#list + 1] = srv end
  end
  return table.concat(list, ',')
end
local function drop(g, w)
  redis.call('ZREM', queue, g)
  redis.call('HDEL', waiters, g)
  for _, tag in ipairs(w.i) do redis.call('ZREM', tagged, taggedMember(tag, w.t, g)) end
end
local function avoided(g)
  local a, b = me, g
  if b < a then a, b = b, a end
  local until_ = redis.call('ZSCORE', avoid, a .. '|' .. b)
  return until_ and tonumber(until_) > now
end
local function waiter(g)
  local raw = redis.call('HGET', waiters, g)
  if not raw then
    redis.call('ZREM', queue, g)
    return nil
  end
  local w = cjson.decode(raw)
  if not alive(w) then
    drop(g, w)
    return nil
  end
  return w
end
local function open(w)
  return #w.i == 0 or now - w.s >= waitMs
end

local raw = redis.call('HGET', waiters, me)
local mine
if raw then
  mine = cjson.decode(raw)
else
  mine = {t = redis.call('INCR', ticketKey), s = now, n = name, i = myTags, l = {}}
end
mine.l[server] = now + leaseMs

-- First choice: the earliest waiter sharing one of my tags.
local best, bestW, bestTicket
for _, tag in ipairs(mine.i) do
  for _, m in ipairs(redis.call('ZRANGEBYLEX', tagged, '[' .. tag .. '|', '(' .. tag .. '}', 'LIMIT', 0, 50)) do
    local ticketText, g = string.match(m, '^[^|]*|(%d+)|(.+)$')
    local ticket = tonumber(ticketText)
    if bestTicket ~= nil and ticket >= bestTicket then break end
    if g ~= me and not avoided(g) then
      local w = waiter(g)
      if w then
        best, bestW, bestTicket = g, w, ticket
        break
      end
    end
  end
end
-- Otherwise, once my interests no longer bind me: the earliest waiter open to anyone.
if not best and open(mine) then
  for _, g in ipairs(redis.call('ZRANGE', queue, 0, 199)) do
    if g ~= me and not avoided(g) then
      local w = waiter(g)
      if w and open(w) then
        best, bestW = g, w
        break
      end
    end
  end
end

local function touch()
  for _, i in ipairs({1, 2, 3, 4, 5, 7}) do redis.call('PEXPIRE', KEYS[i], keyTtl) end
end

if best then
  drop(best, bestW)
  if raw then drop(me, mine) end
  local theirs = {}
  for _, tag in ipairs(bestW.i) do theirs[tag] = true end
  local common = {}
  for _, tag in ipairs(mine.i) do
    if theirs[tag] then common[#common + 1] = tag end
  end
  local ci = table.concat(common, ',')
  redis.call('HSET', current, me, cjson.encode({c = channelId, p = best, n = bestW.n, ci = ci}))
  redis.call('HSET', current, best, cjson.encode({c = channelId, p = me, n = name, ci = ci}))
  redis.call('ZADD', currentExp, now + currentTtl, me, now + currentTtl, best)
  redis.call('HINCRBY', daily, me, 1)
  redis.call('HINCRBY', daily, best, 1)
  redis.call('PEXPIRE', daily, 172800000)
  touch()
  return cjson.encode({r = 'matched', c = channelId, p = best, n = bestW.n, ci = ci,
    ms = servers(mine), ps = servers(bestW)})
end

redis.call('HSET', waiters, me, cjson.encode(mine))
if not raw then
  redis.call('ZADD', queue, mine.t, me)
  for _, tag in ipairs(mine.i) do redis.call('ZADD', tagged, 0, taggedMember(tag, mine.t, me)) end
end
touch()
return cjson.encode({r = 'waiting', s = mine.s})
