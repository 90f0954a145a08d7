"""gunicorn settings of the admin, for every command that starts it: the Procfile (`make run`),
the end-to-end stack (tests/e2e/stack.py, bench/), the voice tests.

    gunicorn -c admin/gunicorn_conf.py "admin:create_app()"

Options given on the command line win over these (the tests pass their own --bind). The bind and
the workers come from the typed Settings (OIRS_ADMIN_BIND, OIRS_ADMIN_WORKERS)."""

from oirs.settings import Settings

_settings = Settings.from_env()
bind = _settings.admin_bind
workers = _settings.admin_workers
worker_class = "gthread"
# Of each worker's 8 threads, long-lived requests hold at most 2 (agent console streams,
# OIRS_ADMIN_STREAM_SLOTS) + 4 (widget messages waiting on Rasa, OIRS_ADMIN_RELAY_SLOTS), so 2
# are always free for the API and the pages (admin/long_requests.py). Keep the sum below this.
threads = 8
timeout = 120

# The access log on stdout (scripts/logged.py copies it to var/log/admin.log), through a logger
# that keeps the path and drops the values of the query and the Referer (personal data).
accesslog = "-"
logger_class = "admin.access_log.MaskedAccessLogger"
