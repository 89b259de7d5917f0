"""The `talento` command: one module per command group (see base.py for who commits)."""

from talento.cli import admin, audit, backup, db, keys, lost_data, setup  # noqa: F401  (register commands)
from talento.cli.base import main

__all__ = ["main"]
