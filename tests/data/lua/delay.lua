-- delay(): 20 ms between a connection's requests.
function delay() return 20 end
