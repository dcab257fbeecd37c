-- presence-scan (shared snippet): whether a guest has any entry in a channel's presence hash,
-- whose fields are "guest|server" (one per server holding a socket of the guest).
local function hasPresence(presence, guest)
  local fields = redis.call('HKEYS', presence)
  for i = 1, #fields do
    if string.sub(fields[i], 1, #guest + 1) == guest .. '|' then return true end
  end
  return false
end
