-- Random paths: /bytes/N with N from 1 to 100, seeded per thread.
function init(args)
  math.randomseed(42)
  sizes = 0
end
function request()
  local n = math.random(1, 100)
  return wrk.format("GET", "/bytes/" .. n)
end
