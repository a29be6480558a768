"""Load benchmark of the real site, served as in production, on loopback only.

    python -m bench.run --size full    # make bench: 500 remedies … 1,000,000 votes
    python -m bench.run --size small   # make bench-small: a tiny data set, under a minute

Steps: (re)create the PostgreSQL database remedy_bench, migrate, load the seed entry,
generate demo data (always with the benchmark pairs demo-bench-remedy/demo-bench-<N>),
collectstatic, serve with gunicorn (DEBUG off, a worker per core, Redis as in production)
on 127.0.0.1 twice, with the anonymous page cache on (the site as it runs) and off (the
"uncached" rows), and load each row with wrk from a separate process. For each row:
requests per second, latency percentiles, the ratio to the ceiling (a Django view that
touches no database, measured in the same run), and the SQL queries of one request
(bench/plan.py, in-process). Prints a table and writes bench/results/<timestamp>.json.
gunicorn is stopped at the end, also on error or Ctrl-C. Nothing but 127.0.0.1 is ever
contacted.
"""

import argparse
import http.client
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
DATABASE = "remedy_bench"
DATABASE_URL = f"postgres://postgres@{HOST}:5432/{DATABASE}"
REQUEST_TIMEOUT = 120
ADMIN_CONNINFO = f"host={HOST} port=5432 user=postgres dbname=postgres"
# A Redis database of the benchmark's own, emptied at the start of every run.
REDIS_URL = f"redis://{HOST}:6379/7"

SIZES = {
    "full": {
        "data": {
            "remedies": 500,
            "conditions": 200,
            "pairs": 5000,
            "members": 1000,
            "comments": 200_000,
            "votes": 1_000_000,
            "reports": 5000,
        },
        "seconds": 10,  # per row; longer for slow rows, up to max_seconds
        "max_seconds": 30,
        "budget_seconds": 13 * 60,  # the whole run: rows get no longer than this allows
        "warmup_seconds": 2,
        "connections_per_worker": 2,
    },
    "small": {
        "data": {
            "remedies": 10,
            "conditions": 5,
            "pairs": 20,
            "members": 50,
            "comments": 500,
            "votes": 2000,
            "reports": 100,
        },
        "seconds": 1,  # longer, up to max_seconds, only on a busy machine
        "max_seconds": 10,
        "budget_seconds": 120,
        "warmup_seconds": 0,  # one round: it also waits out the last row's leftover requests
        "connections_per_worker": 1,  # so that the slowest pages complete within a second
    },
}


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment() -> dict[str, str]:
    """As production runs: PostgreSQL, and Redis for the cache, sessions, rate limits and
    the anonymous page cache (config/pagecache.py, on whenever REDIS_URL is set)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG", "PAGE_CACHE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_COOKIES="0",
        RATE_LIMIT_COMMENTS="1000000000",
        RATE_LIMIT_VOTES="1000000000",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_python(env: dict[str, str], args: list[str], what: str) -> str:
    """Run a Python command of the project with the benchmark's environment; its output."""
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{what} failed")
    return result.stdout


def manage(env: dict[str, str], *args: str) -> str:
    return run_python(env, ["manage.py", *args], f"manage.py {' '.join(args)}")


def recreate_database() -> None:
    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    # Pages cached by an earlier run would carry that run's ids and tokens.
    redis.Redis.from_url(REDIS_URL, socket_timeout=10).flushdb()


class Server:
    """gunicorn in its own process group, stopped by `stop` whatever happened."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path):
        self.port = free_port()
        self.log_file = log_path.open("w")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        # The project's production settings (gunicorn.conf.py, as `make serve` uses them)
        # when there are some; the address and the number of workers are the benchmark's.
        config = ROOT / "gunicorn.conf.py"
        self.config = config.name if config.exists() else "gunicorn's defaults"
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi:application",
                *([f"--config={config}"] if config.exists() else []),
                f"--bind={HOST}:{self.port}",
                f"--workers={workers}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}); see its log")
            try:
                status, _, _ = request(self.port, "GET", "/__bench__/ceiling/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def request(port: int, method: str, path: str, body: str = "", headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def cookies_from(message) -> dict[str, str]:
    jar = SimpleCookie()
    for header in message.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def log_in(port: int, username: str, password: str) -> tuple[str, str]:
    """Sign in through the login form, as a browser does; returns (Cookie header, CSRF)."""
    status, message, page = request(port, "GET", "/accounts/login/")
    cookies = cookies_from(message)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token or "csrftoken" not in cookies:
        raise SystemExit("Could not read the login form")
    body = urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
    )
    status, message, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    cookies |= cookies_from(message)
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Signing in as {username} failed (HTTP {status})")
    cookie = f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}"
    status, _, page = request(port, "GET", "/", headers={"Cookie": cookie})
    if status != 200 or username.encode() not in page:
        raise SystemExit("The session cookie does not sign the member in")
    return cookie, cookies["csrftoken"]


def row_request(row: dict, cookie: str, csrf: str, index: int = 0):
    path = row["path"]
    if row["ids"]:
        path = path.replace("{id}", str(row["ids"][index % len(row["ids"])]))
    headers = {"Cookie": cookie} if row["signed_in"] else {}
    if row["method"] == "POST":
        headers |= {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf}
    return row["method"], path, row["body"], headers


def warm_up(port: int, row: dict, cookie: str, csrf: str, workers: int, seconds: float):
    """Rounds of one request per worker, at once, for about `seconds` (one round at least):
    every worker has served the row, and finished the requests the last row left running
    when wrk stopped, before the row is measured. Returns the mean latency."""

    def one(index: int) -> float:
        begun = time.monotonic()
        request(port, *row_request(row, cookie, csrf, index))
        return time.monotonic() - begun

    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(workers) as pool:
        while not latencies or time.monotonic() < deadline:
            start = len(latencies)
            latencies += pool.map(one, range(start, start + workers))
    return sum(latencies) / len(latencies)


def row_seconds(base: int, ceiling: int, warm_latency: float, workers: int, connections: int):
    """Long enough to complete several requests per connection even on a slow row: five
    times the latency expected under load (the warm-up's, scaled to the connections)."""
    expected = warm_latency * connections / workers
    return max(base, min(ceiling, math.ceil(5 * expected)))


def run_wrk(port: int, row: dict, cookie: str, csrf: str, seconds: int, connections: int):
    signed = row["signed_in"]
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={REQUEST_TIMEOUT}s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        f"http://{HOST}:{port}/",
        "--",
        row["method"],
        row["path"],
        row["body"],
        cookie if signed else "",
        csrf if signed else "",
        ",".join(map(str, row["ids"])),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + REQUEST_TIMEOUT + 30, check=False
    )
    found = re.search(r"^BENCH_JSON (.*)$", result.stdout, re.M)
    if result.returncode or not found:
        raise SystemExit(f"wrk failed on {row['name']}:\n{result.stdout}\n{result.stderr}")
    stats = json.loads(found.group(1))
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    return stats


def check_row(row: dict, stats: dict) -> list[str]:
    problems = []
    expected = {302} if row["method"] == "POST" else {200}
    unexpected = {s: n for s, n in stats["statuses"].items() if int(s) not in expected}
    if unexpected:
        problems.append(f"unexpected statuses {unexpected}")
    if stats["login_redirects"]:
        problems.append(f"{stats['login_redirects']} redirects to the login page")
    errors = {k: v for k, v in stats["errors"].items() if v and k != "status"}
    if errors:
        problems.append(f"socket errors {errors}")
    return problems


def table(rows: list[dict]) -> str:
    header = (
        f"{'row':<44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'x ceiling':>9} {'queries':>7} {'s':>3}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        stats = row["stats"]
        lines.append(
            f"{row['name']:<44} {stats['rps']:>8.1f} {stats['p50_us'] / 1000:>8.1f} "
            f"{stats['p95_us'] / 1000:>8.1f} {stats['p99_us'] / 1000:>8.1f} "
            f"{row['ratio_to_ceiling']:>9.3f} {queries_shown(row):>7} {row['seconds']:>3}"
            + (f"  !! {'; '.join(row['problems'])}" if row["problems"] else "")
            + (f"  ?? {row['warning']}" if row["warning"] else "")
        )
    return "\n".join(lines)


def queries_shown(row: dict) -> str:
    """Queries of a request that renders the page; "/0" and the like: of a page cache hit;
    "+2": BEGIN and COMMIT around a write's queries."""
    shown = str(row["queries"])
    if row.get("hit_queries") is not None:
        shown += f"/{row['hit_queries']}"
    if row.get("transaction_statements"):
        shown += f"+{row['transaction_statements']}"
    return shown


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return result.stdout.strip() + ("+changes" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--seconds", type=int, help="Load each row this long (whole seconds).")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    size = SIZES[options.size]
    seconds = options.seconds or size["seconds"]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk; make bench does)")

    started = time.monotonic()
    load_before = os.getloadavg()
    if load_before[0] > 1.0:
        log(
            f"!! load average {load_before[0]:.2f} before starting: other processes are using "
            "the CPU, and the numbers will be lower than on a quiet machine"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    # One worker per core: the pages are CPU-bound, and wrk, PostgreSQL and Redis share
    # these cores. More workers than cores add no throughput here, only waits for a CPU
    # (on 2 cores, 4 workers gave the ceiling view a p99 of 9-125 ms, 2 workers 2 ms).
    workers = cores
    connections = size["connections_per_worker"] * workers
    env = server_environment()
    timings: dict[str, float] = {}

    def timed(name: str, function, *args):
        log(f"== {name}")
        begun = time.monotonic()
        result = function(*args)
        timings[name] = round(time.monotonic() - begun, 2)
        return result

    timed(f"create database {DATABASE}", recreate_database)
    timed("migrate", manage, env, "migrate", "--noinput", "-v0")
    timed("load seed", manage, env, "load_seed")
    data_options = [f"--{name}={value}" for name, value in size["data"].items()]
    generation = timed(
        "generate demo data",
        manage,
        env,
        "generate_demo_data",
        f"--seed={options.seed}",
        *data_options,
        "--pair-comments",
    )
    log(generation.rstrip())
    timed("collectstatic", manage, env, "collectstatic", "--noinput", "-v0")
    planned = timed("plan rows, count queries", plan_rows, env)

    def interrupted(signum, frame):
        raise SystemExit(f"Stopped by signal {signum}")

    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, interrupted) for sig in stop_signals}
    servers: dict[str, Server] = {}
    try:
        # The site as production serves it, and the same with the page cache off (the
        # "uncached" rows); a server that is not being loaded only waits.
        for name, extra in [("cached", {}), ("uncached", {"PAGE_CACHE": "0"})]:
            servers[name] = Server(env | extra, workers, RESULTS / f"{stamp}-gunicorn-{name}.log")
        server = servers["cached"]
        log(
            f"== serve: gunicorn ({server.config}), {workers} workers each, page cache on "
            f"(port {server.port}) and off (port {servers['uncached'].port}); "
            f"wrk, {connections} connections"
        )
        for each in servers.values():
            each.wait_ready()
        cookie, csrf = log_in(server.port, planned["member"], planned["password"])
        results = []
        ceiling_rps = None
        deadline = started + size["budget_seconds"]
        for number, row in enumerate(planned["rows"]):
            server = servers[row["server"]]
            warm = warm_up(server.port, row, cookie, csrf, workers, size["warmup_seconds"])
            # Within the budget, leaving the rows still to come their base time at least.
            left = deadline - time.monotonic() - (len(planned["rows"]) - number - 1) * seconds
            longest = max(seconds, min(size["max_seconds"], int(left / 2)))
            duration = row_seconds(seconds, longest, warm, workers, connections)
            stats = run_wrk(server.port, row, cookie, csrf, duration, connections)
            ceiling_rps = ceiling_rps or stats["rps"]
            row |= {
                "seconds": duration,
                "warmup_mean_latency_ms": round(warm * 1000, 1),
                "stats": stats,
                "ratio_to_ceiling": stats["rps"] / ceiling_rps,
                "problems": check_row(row, stats),
                # Not an error of the site: the machine was too busy to measure this row.
                "warning": "" if stats["requests"] else "no request completed in time",
            }
            row.pop("ids")
            results.append(row)
            log(
                f"   {row['name']:<44} {stats['rps']:8.1f} req/s  "
                f"p50 {stats['p50_us'] / 1000:.1f} ms  p99 {stats['p99_us'] / 1000:.1f} ms  "
                f"({duration} s)"
                + (f"  !! {'; '.join(row['problems'])}" if row["problems"] else "")
                + (f"  ?? {row['warning']}" if row["warning"] else "")
            )
    finally:
        for each in servers.values():
            each.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    report = {
        "started": stamp,
        "size": options.size,
        "data": size["data"],
        "pair_comments": "standard (0, 20, 100, 1,000, 10,000)",
        "commit": git_commit(),
        "cores": cores,
        "gunicorn_workers": workers,
        "gunicorn_config": servers["cached"].config,
        "wrk_connections": connections,
        "seconds_per_row": seconds,
        "setup_seconds": timings,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "generation_output": generation,
        "rows": results,
        "total_seconds": round(time.monotonic() - started, 1),
    }
    path = RESULTS / f"{stamp}.json"
    path.write_text(json.dumps(report, indent=2))
    log("")
    log(table(results))
    log(
        f"\nTotal {report['total_seconds']} s; load average before {load_before[0]:.2f}, "
        f"after {report['load_average_after'][0]:.2f}. Results: {path.relative_to(ROOT)}"
    )
    if any(row["problems"] for row in results):
        raise SystemExit("Some rows had errors (marked !!).")


def plan_rows(env: dict[str, str]) -> dict:
    return json.loads(run_python(env, ["-m", "bench.plan"], "bench/plan.py"))


if __name__ == "__main__":
    main()
