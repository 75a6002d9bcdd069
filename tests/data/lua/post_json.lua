-- POST with a JSON body, as in wrk's scripts/post.lua
wrk.method = "POST"
wrk.body   = '{"name": "hotpath"}'
wrk.headers["Content-Type"] = "application/json"
