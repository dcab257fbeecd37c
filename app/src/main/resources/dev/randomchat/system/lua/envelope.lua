-- envelope (shared snippet): an event on a channel's topic, "kind|seq|guest|json". The kinds
-- (m message, s to the peer, t typing, o presence, e ended) and who gets each are documented in
-- chat/ChannelEvent.java, which parses them; seq is 0 but for messages.
local function envelope(kind, seq, guest, json)
  return kind .. '|' .. seq .. '|' .. guest .. '|' .. json
end
local function presenceEvent(guest, online)
  return envelope('o', 0, guest, '{"type":"presence","peerOnline":' .. tostring(online) .. '}')
end
