-- wrk script: PUT /processes/{name}/{id}/complete for the runs create.lua started, in order.
local prefix = os.getenv("BENCH_PREFIX") or "bench"
local counter = 0
local names = {"process-00", "process-01", "process-02", "process-03"}
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"status":"COMPLETED"}'

request = function()
  counter = counter + 1
  local path = string.format("/processes/%s/%s-%d/complete", names[(counter % 4) + 1], prefix, counter)
  return wrk.format(nil, path)
end
