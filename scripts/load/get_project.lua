-- wrk script: GET one project, counting answers that are not 200.
local token = os.getenv("TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token

done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
