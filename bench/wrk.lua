-- wrk script for one benchmark row (bench/run.py passes the arguments after "--"):
--   method, path ("{id}" is replaced by the ids in turn), body, cookie, csrf token, ids
-- Counts responses by status, and redirects to the login page (a lost session), and
-- prints one JSON line starting with BENCH_JSON when done.

local method, path, body, cookie, csrf
local ids = {}
local next_id = 0
statuses = {}
login_redirects = 0

function init(args)
  method, path, body, cookie, csrf = args[1], args[2], args[3] or "", args[4] or "", args[5] or ""
  for id in string.gmatch(args[6] or "", "%d+") do
    table.insert(ids, id)
  end
end

function request()
  local target = path
  if #ids > 0 then
    next_id = next_id % #ids + 1
    target = string.gsub(path, "{id}", ids[next_id])
  end
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-CSRFToken"] = csrf
    return wrk.format(method, target, headers, body)
  end
  return wrk.format(method, target, headers)
end

function response(status, headers, response_body)
  statuses[status] = (statuses[status] or 0) + 1
  local location = headers["Location"] or headers["location"]
  if location and string.find(location, "/accounts/login/", 1, true) then
    login_redirects = login_redirects + 1
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local counts, redirects = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
    redirects = redirects + thread:get("login_redirects")
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "statuses": {%s}, ' ..
    '"login_redirects": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, table.concat(parts, ", "),
    redirects, e.connect, e.read, e.write, e.status, e.timeout))
end
