-- wrk script: send the session cookie; print latency percentiles and errors (wrk counts non-2xx/3xx) as JSON.
local cookie = os.getenv("LVZHI_BENCH_COOKIE") or ""
wrk.headers["Cookie"] = cookie
wrk.headers["Accept"] = "text/html,application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"mean_ms": %.2f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000, e.connect, e.read, e.write, e.timeout,
    e.status))
end
