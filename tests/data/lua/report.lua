-- A custom report in done(): JSON-ish lines a CI job could grep.
function done(summary, latency, requests)
  io.write("report requests=", summary.requests, "\n")
  io.write("report errors=", summary.errors.status, "\n")
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("report p%g=%d\n", p, latency:percentile(p)))
  end
  local v, count = latency(1)
  io.write(string.format("report first=%d:%d min=%d max=%d\n", v, count, latency.min, latency.max))
  io.write(string.format("report duration_s=%.1f\n", summary.duration / 1e6))
end
