-- window (shared snippet): count one event in a fixed window, for rate limits shared by every
-- server. The counter's name holds the window's number, so each window starts at 0; it lives a
-- little longer than its window, so a server whose clock lags still finds it. INCR and EXPIRE
-- are one step: a counter never lives on without its expiry.
local function countInWindow(counter, seconds)
  local count = redis.call('INCR', counter)
  if count == 1 then redis.call('EXPIRE', counter, tonumber(seconds)) end
  return count
end
