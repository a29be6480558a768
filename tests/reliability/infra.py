"""The processes the reliability suite runs itself, all on 127.0.0.1: a fresh PostgreSQL
database, gunicorn instances serving the site as `make serve` does, and nginx in front
of them. Every process is started in its own process group and stopped by the suite."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/remedy_reliability"
REDIS_URL = "redis://127.0.0.1:6379/5"
SETTINGS_MODULE = "tests.reliability.server_settings"
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.with_name("gunicorn")
WORKERS = int(os.environ.get("RELIABILITY_WORKERS", "3"))  # per gunicorn instance
READY_TIMEOUT = 60  # seconds for a gunicorn instance to answer /healthz/

# Variables the site reads: the servers get exactly the values the suite gives them,
# never whatever the shell running the tests happened to export.
SITE_VARIABLES = {
    "ALLOWED_HOSTS",
    "AXES_COOLOFF_HOURS",
    "AXES_ENABLED",
    "AXES_FAILURE_LIMIT",
    "BEHIND_TLS_PROXY",
    "BIND",
    "CONN_MAX_AGE",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "FLAGS_TO_HIDE",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "PAGE_CACHE",
    "PORT",
    "PROXY_COUNT",
    "RATE_LIMIT_COMMENTS",
    "RATE_LIMIT_VOTES",
    "REDIS_URL",
    "SECRET_KEY",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "SIGNUP_MIN_SECONDS",
    "SIGNUPS_PER_ADDRESS_PER_HOUR",
    "WEB_CONCURRENCY",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {HOST}:{port} after {timeout} s")


# --- PostgreSQL and Redis --------------------------------------------------------------


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def database_problem(url: str) -> str:
    """Why the suite cannot use `url` ('' when it can)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        return f"DATABASE_URL must be a PostgreSQL URL (got {parts.scheme or url!r})"
    if parts.hostname not in {"127.0.0.1", "localhost"}:
        return "DATABASE_URL must point at PostgreSQL on 127.0.0.1"
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        return "DATABASE_URL must name a database (lower-case letters, digits, _)"
    if "reliability" not in name:
        # The suite drops and recreates it: never a database someone works in.
        return f"the suite drops its database: its name must contain 'reliability' ({name!r})"
    return ""


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin_conninfo(url: str) -> str:
    parts = urlsplit(url)
    user = parts.username or "postgres"
    return f"host={parts.hostname} port={parts.port or 5432} user={user} dbname=postgres"


def recreate_database(url: str) -> None:
    """Drop and create the suite's database (its name was checked by database_problem)."""
    name = database_name(url)
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


def connect(url: str) -> psycopg.Connection:
    """A plain connection to the served database, to check what the site stored."""
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def postgres_ready(url: str) -> bool:
    parts = urlsplit(url)
    result = subprocess.run(
        ["pg_isready", "-q", "-h", parts.hostname, "-p", str(parts.port or 5432)],
        check=False,
        timeout=10,
    )
    return result.returncode == 0


def postgres_cluster_command(action: str) -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]


def ensure_postgres_up(url: str, timeout: float = 60) -> None:
    """Start the machine's cluster if it is down (CI starts it; a restart test may not
    have brought it back)."""
    if postgres_ready(url):
        return
    subprocess.run(postgres_cluster_command("start"), check=False, timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if postgres_ready(url):
            return
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL is not accepting connections on 127.0.0.1")


def flush_redis(url: str = REDIS_URL) -> None:
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


# --- the site's own commands ----------------------------------------------------------


def server_environment(*, url: str, static_root: Path, secret_key: str, **overrides) -> dict:
    """Production settings as an operator would give them: DEBUG off, a random secret,
    Redis for cache and sessions, plain HTTP on loopback (cookies not Secure)."""
    env = {k: v for k, v in os.environ.items() if k not in SITE_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        RELIABILITY_STATIC_ROOT=str(static_root),
        DATABASE_URL=url,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=secret_key,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        # nginx is the one proxy in front: the client is the address nginx saw.
        PROXY_COUNT="1",
        WEB_CONCURRENCY=str(WORKERS),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


# --- gunicorn -------------------------------------------------------------------------


class Gunicorn:
    """One app server: `gunicorn config.wsgi` with the project's gunicorn.conf.py."""

    def __init__(self, name: str, env: dict, log_dir: Path):
        self.name = name
        self.env = env
        self.port = free_port()
        self.log_path = log_dir / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        self.starts += 1
        with self.log_path.open("a") as log:
            log.write(f"\n=== start {self.starts} on {HOST}:{self.port}\n")
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "config.wsgi:application",
                    f"--config={ROOT / 'gunicorn.conf.py'}",
                    f"--bind={HOST}:{self.port}",
                    f"--workers={self.env.get('WEB_CONCURRENCY', WORKERS)}",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} not ready in {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once, as when a machine dies."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if not self.alive:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- nginx ----------------------------------------------------------------------------

NGINX_CONF = """\
# Written by tests/reliability/infra.py for one test session.
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{ worker_connections 1024; }}

http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 2m;

    upstream remedy_commons {{
{servers}
    }}

    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://remedy_commons;
            # A dead instance: try the other one (never for a POST already sent).
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def nginx_path() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )


class Nginx:
    """nginx as the suite's own process, its configuration and logs in `directory`."""

    def __init__(self, directory: Path, upstream_ports: list[int], fail_timeout: int = 2):
        self.directory = directory
        self.port = free_port()
        self.upstream_ports = upstream_ports
        self.fail_timeout = fail_timeout
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def config(self) -> str:
        servers = "\n".join(
            f"        server {HOST}:{port} max_fails=1 fail_timeout={self.fail_timeout}s;"
            for port in self.upstream_ports
        )
        # As root, workers would otherwise run as "nobody", who cannot enter a private
        # temporary directory.
        user = "user root;" if os.geteuid() == 0 else ""
        return NGINX_CONF.format(
            user=user, dir=self.directory, servers=servers, host=HOST, port=self.port
        )

    def start(self) -> None:
        binary = nginx_path()
        if binary is None:
            raise RuntimeError("nginx is not installed (make test-reliability installs it)")
        self.directory.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "nginx.conf"
        conf.write_text(self.config())
        self.log = (self.directory / "nginx.out").open("a")
        self.process = subprocess.Popen(
            [
                binary,
                "-p",
                str(self.directory),
                "-c",
                str(conf),
                "-e",
                str(self.directory / "error.log"),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(self.port, timeout=15)
        except TimeoutError:
            raise RuntimeError(f"nginx did not start:\n{self.error_log()}") from None

    def error_log(self) -> str:
        parts = []
        for name in ("nginx.out", "error.log"):
            path = self.directory / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        self.log.close()


# --- two app servers behind nginx -----------------------------------------------------


class Cluster:
    """Two gunicorn instances sharing PostgreSQL and Redis, behind one nginx."""

    def __init__(self, name: str, env: dict, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.instances = [Gunicorn(f"{name}-{i}", env, directory) for i in (1, 2)]
        self.nginx = Nginx(directory / "nginx", [g.port for g in self.instances])

    @property
    def url(self) -> str:
        return self.nginx.url

    def start(self) -> None:
        try:
            for instance in self.instances:
                instance.start()
            for instance in self.instances:
                instance.wait_ready()
            self.nginx.start()
        except BaseException:
            self.stop()
            raise

    def ensure_running(self) -> None:
        """Bring back any instance a test killed."""
        for instance in self.instances:
            if not instance.alive:
                instance.start()
                instance.wait_ready()

    def stop(self) -> None:
        self.nginx.stop()
        for instance in self.instances:
            instance.stop()

    def count_in_logs(self, text: str) -> int:
        """How often the app servers logged `text` so far."""
        return sum(
            i.log_path.read_text(errors="replace").count(text)
            for i in self.instances
            if i.log_path.exists()
        )

    def logs(self) -> str:
        return (
            "\n".join(f"--- {i.name}\n{i.log_tail()}" for i in self.instances)
            + f"\n--- nginx\n{self.nginx.error_log()}"
        )
