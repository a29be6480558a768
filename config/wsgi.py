"""WSGI entry point: gunicorn config.wsgi."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402 (settings are configured just above)

if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "Refusing to serve with DEBUG off and the development SECRET_KEY: set SECRET_KEY "
        "(or DEBUG=1 on a development machine)."
    )
