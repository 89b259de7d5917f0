"""The `talento` group, how a command gets its app, and who commits.

Commands that touch data build the app through :func:`data_app`, so they refuse a bad
configuration or a wrong encryption key exactly as the web app does (exit status 2).

Who commits: a command that changes data runs its work inside :func:`unit_of_work`, which
commits once at the end (or rolls back on any exception, ``sys.exit`` included) and then runs
the side effects its services queued (e-mails, file deletions). Batch jobs that must survive
an interruption (``keys reencrypt``, ``keys adopt``, ``keys recover``, ``audit purge``,
``lost-data notify``) commit per batch inside their service, and say so in its docstring.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask
from sqlalchemy.orm import Session

from talento import boot
from talento.extensions import db
from talento.unit_of_work import defer_actions, discard_pending, run_actions, take_ready


def data_app(check_keys: bool = True) -> Flask:
    """Build the app for a data command; with check_keys, run the start-up checks too.

    Commands run without DATABASE_TIMEOUT: a backup, a key re-encryption or a migration may
    run statements longer than a web request may, and an operator watches them."""
    return boot(startup_checks=check_keys, long_jobs=True)


@contextmanager
def unit_of_work(app: Flask) -> Iterator[Session]:
    """One transaction for the command: commit at the end, roll back on any exception (exit
    included), then run the actions queued for after the commit."""
    with app.app_context():
        session = db.session()
        defer_actions(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            discard_pending(session)
            raise
        finally:
            defer_actions(session, False)
        now, later = take_ready(session)
        run_actions([*now, *later])


@click.group(help="Talento : commandes d'exploitation.")
def main() -> None:
    pass
