-- setup(thread) with thread.addr: pin every thread to the address wrk.lookup gives.
local n = 0
function setup(thread)
  n = n + 1
  local addrs = wrk.lookup(wrk.host, wrk.port)
  assert(#addrs >= 1 and wrk.connect(addrs[1]), "lookup/connect")
  thread.addr = addrs[1]
  thread:set("label", "t" .. n .. "@" .. tostring(thread.addr))
end
function done(summary, latency, requests)
  io.write("setup threads=", n, "\n")
end
