"""Shim: gunicorn reads ./gunicorn.conf.py by default, so the seed guide's exact command

    gunicorn --bind 0.0.0.0:5004 --reuse-port --workers 4 app:app

run from the project directory gets the production configuration of deploy/gunicorn.conf.py,
above all its `on_starting` hook: a bad .env or a wrong ENCRYPTION_KEY stops the master once,
with exit status 2 and the French explanation, before any worker is forked.

Flags given on the command line (and GUNICORN_CMD_ARGS) win over values from a config file, so
the seed's --bind/--workers/--reuse-port are kept as typed; without flags, deploy's defaults
(127.0.0.1:5004, gthread workers) apply. systemd passes `-c deploy/gunicorn.conf.py`, and then
this file is not read at all.
"""

import runpy
from pathlib import Path

globals().update(
    (name, value)
    for name, value in runpy.run_path(
        str(Path(__file__).resolve().parent / "deploy" / "gunicorn.conf.py")
    ).items()
    if not name.startswith("__")
)
