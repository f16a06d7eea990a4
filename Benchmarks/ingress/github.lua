-- wrk script for the ingress benchmark (issue 2): signed GitHub `pull_request` deliveries.
--
-- Every request is POST <url path> with the same body (the file BENCH_PAYLOAD), Content-Type
-- application/json, X-GitHub-Event: pull_request, X-Hub-Signature-256 = BENCH_SIGNATURE (GitHub signs the
-- body only, so one signature serves every request) and a fresh X-GitHub-Delivery:
-- "<BENCH_RUN_ID>-<thread>-<counter>", unique across threads and runs.
--
-- Status codes are counted per thread in response() and summed in done(), which prints one line
--   STATUS accepted_202=N other=M codes=<code>:<count>,...
-- and appends the same line to BENCH_STATUS_FILE when set (run.sh fails when other > 0).
--
-- Rate limiting (for "p99 at half of peak"): BENCH_RATE=<requests per second, all threads together>
-- paces requests with delay(): each thread hands out send slots BENCH_RATE/threads apart (a monotonic
-- clock through LuaJIT's FFI), so the offered rate is fixed regardless of latency. wrk measures latency
-- from the moment a request is written, so the pacing delay is not counted.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
int clock_gettime(int clk_id, bench_timespec_t *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec_t")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

-- Main state: hand every thread its number; keep the threads to sum their counters in done().
local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- Thread states.
local prefix, suffix
local counter = 0
local interval_ms, next_slot_ms

function init(args)
  local path = assert(os.getenv("BENCH_PAYLOAD"), "BENCH_PAYLOAD is not set")
  local signature = assert(os.getenv("BENCH_SIGNATURE"), "BENCH_SIGNATURE is not set")
  local run_id = os.getenv("BENCH_RUN_ID") or "run"
  local file = assert(io.open(path, "rb"))
  local body = file:read("*a")
  file:close()

  local host = wrk.host
  if wrk.port then host = host .. ":" .. wrk.port end
  -- Built once: only the delivery id changes between requests.
  prefix = "POST " .. wrk.path .. " HTTP/1.1\r\n"
    .. "Host: " .. host .. "\r\n"
    .. "User-Agent: GitHub-Hookshot/bench\r\n"
    .. "Content-Type: application/json\r\n"
    .. "Content-Length: " .. #body .. "\r\n"
    .. "X-GitHub-Event: pull_request\r\n"
    .. "X-GitHub-Hook-ID: 109948940\r\n"
    .. "X-Hub-Signature-256: " .. signature .. "\r\n"
    .. "X-GitHub-Delivery: " .. run_id .. "-" .. tostring(thread_id) .. "-"
  suffix = "\r\n\r\n" .. body

  accepted = 0
  other = 0
  codes = {}

  local rate = tonumber(os.getenv("BENCH_RATE") or "")
  local threads_total = tonumber(os.getenv("BENCH_THREADS") or "")
  if rate and rate > 0 then
    assert(threads_total and threads_total > 0, "BENCH_RATE needs BENCH_THREADS (wrk -t)")
    interval_ms = 1000 * threads_total / rate
  end
end

function request()
  counter = counter + 1
  return prefix .. counter .. suffix
end

if os.getenv("BENCH_RATE") and tonumber(os.getenv("BENCH_RATE")) and tonumber(os.getenv("BENCH_RATE")) > 0 then
  function delay()
    local now = now_ms()
    if next_slot_ms == nil or next_slot_ms < now - 1000 then next_slot_ms = now end
    local slot = next_slot_ms
    next_slot_ms = next_slot_ms + interval_ms
    local wait = slot - now
    if wait < 0 then return 0 end
    return math.floor(wait)
  end
end

function response(status, headers, body)
  if status == 202 then
    accepted = accepted + 1
  else
    other = other + 1
  end
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local total_accepted, total_other, by_code = 0, 0, {}
  for _, thread in ipairs(threads) do
    total_accepted = total_accepted + (thread:get("accepted") or 0)
    total_other = total_other + (thread:get("other") or 0)
    local thread_codes = thread:get("codes") or {}
    for code, count in pairs(thread_codes) do by_code[code] = (by_code[code] or 0) + count end
  end
  local parts = {}
  for code, count in pairs(by_code) do table.insert(parts, tostring(code) .. ":" .. tostring(count)) end
  table.sort(parts)
  local line = string.format(
    "STATUS accepted_202=%d other=%d codes=%s requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d",
    total_accepted, total_other, table.concat(parts, ","), summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout)
  print(line)
  local status_file = os.getenv("BENCH_STATUS_FILE")
  if status_file then
    local file = assert(io.open(status_file, "a"))
    file:write(line, "\n")
    file:close()
  end
  if total_other > 0 then
    io.stderr:write(string.format("FAIL: %d responses were not 202 (%s)\n", total_other, table.concat(parts, ",")))
  end
end
