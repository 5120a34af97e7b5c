-- wrk script: POST /api/v1/projects with a name no other request uses.
-- The token comes from the TOKEN environment variable; RUN_TAG keeps runs apart.
local token = os.getenv("TOKEN")
local run_tag = os.getenv("RUN_TAG") or tostring(os.time())
local threads = 0
local counter = 0

-- Runs once per thread in the main state: give each thread its own tag.
setup = function(thread)
  threads = threads + 1
  thread:set("thread_tag", tostring(threads))
end

request = function()
  counter = counter + 1
  local body = string.format('{"name":"load-%s-%s-%d","description":"made by the load test"}',
    run_tag, thread_tag, counter)
  return wrk.format("POST", "/api/v1/projects", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
