# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint format migrate seed serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_seed

## Serve the site from SQLite with the seed entry on http://127.0.0.1:8000
run: seed
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000

## Production: migrate, collect static files, serve with gunicorn (configure by environment)
serve: install
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn config.wsgi --config gunicorn.conf.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Run the whole test suite (DATABASE_URL=postgres://... to run it on PostgreSQL)
test: install lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts

.PHONY: bench bench-small bench-tools

## Load benchmark: PostgreSQL database remedy_bench, full-size demo data, gunicorn + wrk
## on 127.0.0.1; prints a table and writes bench/results/<timestamp>.json (< 15 minutes)
bench: install bench-tools
	$(BIN)/python -m bench.run --size full

## The same on a tiny data set, in well under a minute (for CI)
bench-small: install bench-tools
	$(BIN)/python -m bench.run --size small

# wrk (Debian package) drives the load, against PostgreSQL and Redis on 127.0.0.1.
bench-tools: services-up
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "== installing wrk (Debian package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

.PHONY: services-up

## PostgreSQL (the machine's cluster) and Redis on 127.0.0.1, started if they are down
services-up:
	@pg_isready -h 127.0.0.1 -p 5432 -q || { \
	  echo "== starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -n 1)" main start; \
	  for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; \
	  pg_isready -h 127.0.0.1 -p 5432; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  echo "== starting Redis"; \
	  command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for _ in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; \
	  redis-cli -h 127.0.0.1 -p 6379 ping; }

.PHONY: test-reliability soak reliability-tools

# The reliability suite's database: dropped and created anew by every run.
RELIABILITY_DATABASE_URL := postgres://postgres@127.0.0.1:5432/remedy_reliability

## The served site under load and failures (tests/reliability): gunicorn × 2 behind nginx,
## PostgreSQL (DATABASE_URL, default remedy_reliability, recreated), Redis db 5. It
## restarts the machine's PostgreSQL once, at the end. A few minutes.
test-reliability: install reliability-tools
	env -u REDIS_URL RUN_RELIABILITY=1 \
	  DATABASE_URL="$${DATABASE_URL:-$(RELIABILITY_DATABASE_URL)}" \
	  $(BIN)/python -m pytest tests/reliability -p no:cacheprovider -rxXsP

## The concurrency scenario for SOAK_SECONDS (default 300) with a summary: requests,
## errors by status, writes acknowledged and found in the database
soak: install reliability-tools
	env -u REDIS_URL RUN_RELIABILITY=1 SOAK_SECONDS="$${SOAK_SECONDS:-300}" \
	  DATABASE_URL="$${DATABASE_URL:-$(RELIABILITY_DATABASE_URL)}" \
	  $(BIN)/python -m pytest tests/reliability/test_soak.py -p no:cacheprovider -q -s

# nginx (Debian package) in front of the app servers, with PostgreSQL and Redis.
reliability-tools: services-up
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "== installing nginx (Debian package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
