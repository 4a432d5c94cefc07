-- The one wrk script of the benches: the same request each time, or (BENCH_PATHS, a file of one path a
-- line) a different GET path each time, cycling from a random start per thread; optional POST bodies
-- with a fresh UUID and a random day ({uuid}, {moment}); and a one-line JSON report.
local method = os.getenv("BENCH_METHOD") or "GET"
local body_template = os.getenv("BENCH_BODY")
local token = os.getenv("BENCH_TOKEN")
local paths_file = os.getenv("BENCH_PATHS")
local paths = nil
if paths_file then
  paths = {}
  for line in io.lines(paths_file) do paths[#paths + 1] = line end
end
local index = 1

local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function setup(thread)
  thread:set("seed", math.random(1, 1000000000))
  if paths then thread:set("start", math.random(1, #paths)) end
end

function init(args)
  math.randomseed(seed or os.time())
  index = start or 1
end

function request()
  local headers = { ["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json" }
  local body = nil
  local path = nil
  if paths then
    path = paths[index]
    index = index % #paths + 1
  end
  if body_template then
    -- a random day of the last five years: a day holds a handful of entries, as for a real user
    local moment = os.date("!%Y-%m-%dT12:00:00Z", os.time() - math.random(0, 5 * 365) * 86400)
    body = string.gsub(string.gsub(body_template, "{uuid}", uuid4()), "{moment}", moment)
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    errors))
end
