"""The served site under load and failures: gunicorn behind nginx, PostgreSQL, Redis."""
