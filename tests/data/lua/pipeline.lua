-- Pipelining by concatenating wrk.format() calls (wrk's scripts/pipeline.lua idea).
init = function(args)
  local r = {}
  r[1] = wrk.format(nil, "/status/201")
  r[2] = wrk.format(nil, "/status/202")
  r[3] = wrk.format(nil, "/status/203")
  req = table.concat(r)
end
request = function() return req end
