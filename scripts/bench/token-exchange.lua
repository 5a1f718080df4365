-- wrk script: authorization-code exchanges at /token. `wrk ... -s token-exchange.lua <url> -- <codes file>`:
-- each line of the file is a complete `application/x-www-form-urlencoded` body for one code (single use),
-- sent once, in order. When the codes run out the thread stops (further requests would be replays, which
-- revoke grants and answer 400). done() prints one JSON line: exchanges (200 with an access_token),
-- failures (anything else), and exchanges/s over the time from the first request to the last exchange
-- (wrk's own duration is always -d, even when the thread stopped early), by a monotonic clock.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *t);
]]
local ts = ffi.new("bench_timespec")
local function nowUs()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end
firstUs = 0
lastUs = 0
local bodies = {}
local nextIndex = 0
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Accept"] = "application/json" }
ok = 0
bad = 0
exhausted = 0
firstBad = ""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
end

function request()
  nextIndex = nextIndex + 1
  if nextIndex == 1 then firstUs = nowUs() end
  if nextIndex > #bodies then
    -- Out of codes: stop, and meanwhile send a harmless GET (not counted as an exchange).
    exhausted = 1
    wrk.thread:stop()
    return wrk.format("GET", "/.well-known/oauth-authorization-server")
  end
  return wrk.format("POST", "/token", headers, bodies[nextIndex])
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"access_token"', 1, true) then
    ok = ok + 1
    lastUs = nowUs()
  elseif not (status == 200 and string.find(body, '"token_endpoint"', 1, true)) then
    bad = bad + 1
    if firstBad == "" then firstBad = status .. " " .. string.sub(body, 1, 160) end
  end
end

function done(summary, latency, requests)
  local exchanges, failures, first, startUs, endUs, ranOut = 0, 0, "", nil, 0, "false"
  for _, t in ipairs(threads) do
    exchanges = exchanges + t:get("ok")
    failures = failures + t:get("bad")
    if first == "" then first = t:get("firstBad") end
    if t:get("exhausted") == 1 then ranOut = "true" end
    local f, l = t:get("firstUs"), t:get("lastUs")
    if f > 0 and (startUs == nil or f < startUs) then startUs = f end
    if l > endUs then endUs = l end
  end
  local duration = (startUs and endUs > startUs) and (endUs - startUs) or summary.duration
  first = string.gsub(first, '[%c"\\]', " ")
  io.write(string.format('\nTOKEN_EXCHANGE {"exchanges":%d,"failures":%d,"durationUs":%d,"perSecond":%.1f,"p50Ms":%.3f,"p99Ms":%.3f,"ranOut":%s,"firstFailure":"%s"}\n',
    exchanges, failures, duration, exchanges / (duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, ranOut, first))
end
