-- count.lua: count one event in a fixed window, for rate limits shared by every server.
--
-- KEYS: 1 the window's counter (its name holds the window's number, so each window starts at 0)
-- ARGV: 1 seconds the counter lives (longer than the window, so a late server still finds it)
-- Result: the count including this event, as a string.
-- Atomic because a counter must never live on without its expiry (INCR and EXPIRE are one step).
--#include window
return tostring(countInWindow(KEYS[1], ARGV[1]))
