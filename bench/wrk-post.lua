-- wrk script of `npm run bench`: every connection POSTs the same JSON body (keep-alive, one request
-- at a time) and done() prints one JSON line with the run's figures, read by bench/wrk.ts.
-- Environment: BENCH_BODY (the body), BENCH_AUTHORIZATION (the Authorization header) and
-- BENCH_EXPECT_TEXT (optional: text every answer's body must contain, e.g. "data: [DONE]" for a
-- stream). wrk counts a chunked answer once, when its last chunk has been parsed, so the latency of
-- a streamed answer runs from the request's first byte sent to the answer's last byte received.

wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")

local expect_text = os.getenv("BENCH_EXPECT_TEXT")
if expect_text == "" then
  expect_text = nil
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Per thread (each has its own Lua state): answers that are not 2xx, and 2xx answers whose body
-- lacks the expected text (an answer cut short).
function init(args)
  non_2xx = 0
  bad_body = 0
  first_status = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
    if first_status == 0 then
      first_status = status
    end
  elseif expect_text ~= nil and string.find(body, expect_text, 1, true) == nil then
    bad_body = bad_body + 1
  end
end

function done(summary, latency, requests)
  local non2xx, badbody, firststatus = 0, 0, 0
  for _, thread in ipairs(threads) do
    non2xx = non2xx + thread:get("non_2xx")
    badbody = badbody + thread:get("bad_body")
    if firststatus == 0 then
      firststatus = thread:get("first_status")
    end
  end
  local e = summary.errors
  -- Latencies are in microseconds.
  io.write(string.format(
    '\nBENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status4xx5xx":%d,"non2xx":%d,"badBody":%d,"firstStatus":%d},' ..
      '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status, non2xx, badbody, firststatus,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max
  ))
end
