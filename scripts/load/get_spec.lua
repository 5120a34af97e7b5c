-- wrk script: GET one large specification now and then (every LARGE_DELAY_MS per connection),
-- as a client downloading specifications would, counting answers that are not 200.
local token = os.getenv("TOKEN")
local pause = tonumber(os.getenv("LARGE_DELAY_MS") or "10")
wrk.headers["Authorization"] = "Bearer " .. token

function delay()
  return pause
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
