"""WSGI entry point: `gunicorn --bind 0.0.0.0:5004 --reuse-port --workers 4 app:app`.

Loads `.env`, refuses to start on a bad configuration or a wrong encryption key. Under gunicorn
the refusal is raised as an ordinary exception so the master stops ("Worker failed to boot")
instead of restarting workers in a loop; `gunicorn.conf.py` already checks before forking.
"""

import sys

from talento import StartupRefused, create_app

try:
    app = create_app()
except StartupRefused as refused:
    if "gunicorn" in sys.modules:
        raise RuntimeError(refused.message) from None
    raise
