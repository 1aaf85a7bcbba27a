"""Serving the site with gunicorn.

gunicorn is the well-kept WSGI server that DESIGN.md names: pre-forked worker processes, each
with a few threads, so that one slow export does not hold up the pages. SQLite (WAL, busy
timeout) takes the concurrent writes one at a time; PostgreSQL connections are kept and checked
(`settings.py`).
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """gunicorn's own advice: two workers a core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


class AccordServer(BaseApplication):
    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None) -> None:
    from django.core.wsgi import get_wsgi_application

    options = {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "threads": 4,
        "worker_class": "gthread",
        "timeout": 120,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "warning",
    }
    print(f"Serving Accord with gunicorn on http://{host}:{port}/ ({options['workers']} workers)")
    AccordServer(get_wsgi_application(), options).run()
