-- For RedisScriptsIntegrationTests: the first argument back, nil without one, an error on "fail".
if ARGV[1] == 'fail' then
  return redis.error_reply('ERR asked to fail')
end
if ARGV[1] == nil then
  return nil
end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
