"""Settings of the gunicorn instances the reliability suite starts: the site's own, from
the environment exactly as in production, except that collectstatic writes into (and
whitenoise serves from) the suite's temporary directory instead of the work tree."""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["RELIABILITY_STATIC_ROOT"]
