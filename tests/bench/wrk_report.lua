-- wrk script of tests/bench/bench_api.py: one machine-readable line at the end of a run.
-- RESULT requests duration_us p50_us p95_us p99_us non_2xx_or_3xx socket_errors
-- An argument (wrk ... -- PAUSE_MS) paces each connection: a random pause of 0..2×PAUSE_MS
-- before every request, so the load is offered at a rate instead of as fast as possible
-- (latency at a given rate, not the queueing of a saturated server).
init = function(args)
  if args[1] then
    local pause = tonumber(args[1])
    delay = function() return math.random(0, 2 * pause) end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
