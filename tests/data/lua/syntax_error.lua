function init(args)
  wrk.path = "/"
end
local broken = {
