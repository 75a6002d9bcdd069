-- An auth header from the command line: hotpath load -s auth_from_args.lua URL -- TOKEN
function init(args)
  if not args[1] then error("usage: -- TOKEN") end
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
function response(status, headers, body)
  if status ~= 200 then wrk.thread:stop() end
end
