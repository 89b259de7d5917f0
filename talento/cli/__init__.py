"""The `talento` command: one module per command group (see base.py for who commits)."""

from talento.cli import (  # noqa: F401  (register commands)
    admin,
    audit,
    backup,
    db,
    demo,
    keys,
    lost_data,
    setup,
)
from talento.cli.base import main

__all__ = ["main"]
