-- HEAD requests: answers have headers and no body.
wrk.method = "HEAD"
