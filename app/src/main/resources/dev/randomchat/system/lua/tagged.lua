-- tagged (shared snippet): a waiter's member of the queue's tagged ZSET, "tag|ticket|guest", the
-- ticket zero-padded so one tag's members sort by arrival. match.lua adds them, unwait.lua and
-- match.lua remove them: both must build the very same string.
local function taggedMember(tag, ticket, guest)
  return tag .. '|' .. string.format('%015d', ticket) .. '|' .. guest
end
