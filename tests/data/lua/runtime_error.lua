function request()
  return wrk.format(nil, "/")
end
function response(status)
  local x = nil
  return x.field
end
