-- publish.lua: publish one event on a topic (typing, server-to-server events).
--
-- KEYS: 1 topic (declared so a Cluster routes the sharded publish to the topic's shard)
-- ARGV: 1 publish command (PUBLISH or SPUBLISH), 2 payload
-- Result: the number of receivers, as a string.
-- Atomic because it is one command; a script only so that a Cluster routes the sharded publish
-- by the declared key.
return tostring(redis.call(ARGV[1], KEYS[1], ARGV[2]))
