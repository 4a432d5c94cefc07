-- GET a different path on each request, cycling through the file named by BENCH_PATHS (one path a
-- line), each thread from its own random start; the same one-line JSON report as wrk_report.lua.
local token = os.getenv("BENCH_TOKEN")
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local index = 1

function setup(thread)
  thread:set("start", math.random(1, #paths))
end

function init(args)
  index = start or 1
end

function request()
  local path = paths[index]
  index = index % #paths + 1
  return wrk.format("GET", path, { ["Authorization"] = "Token " .. token })
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    errors))
end
