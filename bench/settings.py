"""Settings for the benchmark server: the site's own, plus the ceiling view's urlconf.

Everything else comes from the environment exactly as in production (bench/run.py sets
DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 and raised rate limits).
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
