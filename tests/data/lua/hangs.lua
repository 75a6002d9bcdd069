-- request() that stops returning after its 50th call: a bug that must not
-- hang the load test past its end or past Ctrl-C
calls = 0
function request()
   calls = calls + 1
   if calls > 50 then
      while true do end
   end
   return wrk.format()
end
