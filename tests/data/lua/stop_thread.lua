-- Stopping a thread from response(): each thread stops after 100 answers.
local answered = 0
function response(status, headers, body)
  answered = answered + 1
  if answered >= 100 then wrk.thread:stop() end
end
