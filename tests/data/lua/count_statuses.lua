-- Counting statuses per thread in response(), summed in done() with thread:get.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  token = args[1]
  statuses = {}
  wrk.headers["Authorization"] = "Bearer " .. (token or "none")
end
local n = 0
function request()
  n = n + 1
  local paths = {"/", "/status/404", "/status/503"}
  return wrk.format(nil, paths[n % 3 + 1])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do
      total[code] = (total[code] or 0) + count
    end
  end
  for code, count in pairs(total) do
    io.write(string.format("status %d: %d\n", code, count))
  end
  io.write(string.format("requests %d, p99 %.1fus, mean %.1fus, max %.1fus, rate mean %.0f\n",
    summary.requests, latency:percentile(99), latency.mean, latency.max, requests.mean))
end
