"""Side effects tied to the transaction that decided them (Indico's ``RH.process`` model).

A service that decides to send an e-mail or remove a stored file does not do it at once: it
queues the action on the SQLAlchemy session with :func:`after_commit` (or :func:`after_rollback`
for the undo of something already done, such as a file saved before the commit). The actions
run only when the session's outermost transaction ends the matching way, so a request that
fails after a mail was queued sends no mail, and a rolled-back deletion keeps its files.

Who commits: one unit of work per request (``talento.web.unit_of_work``) and per command
(``talento.cli``). Inside a unit of work the committed actions are *deferred*: the owner runs
them right after its commit (a request, still able to flash a message about a mail that could
not leave), or, for actions queued with ``after_response=True``, once the response was sent
(so the time a mail takes reveals nothing). Outside a unit of work (a test, a script) they run
right after the commit. Batch jobs that commit per batch run each batch's actions after it.

Only the outermost transaction counts: a savepoint that rolls back does not discard the
actions queued inside it (nothing in Talento queues inside a savepoint).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

Action = Callable[[], object]

_ON_COMMIT = "talento.uow.on_commit"
_ON_ROLLBACK = "talento.uow.on_rollback"
_READY = "talento.uow.ready"
_DEFER = "talento.uow.defer"


def after_commit(session: Session, action: Action, *, after_response: bool = False) -> None:
    """Run ``action`` once the current transaction is committed; never if it rolls back.

    ``after_response``: in a request, only once the response was sent."""
    session.info.setdefault(_ON_COMMIT, []).append((action, after_response))


def after_rollback(session: Session, action: Action) -> None:
    """Run ``action`` if the current transaction ends without a commit (an undo)."""
    session.info.setdefault(_ON_ROLLBACK, []).append(action)


def defer_actions(session: Session, defer: bool = True) -> None:
    """Inside a unit of work: keep committed actions until :func:`take_ready` collects them."""
    if defer:
        session.info[_DEFER] = True
    else:
        session.info.pop(_DEFER, None)


def take_ready(session: Session) -> tuple[list[Action], list[Action]]:
    """The committed actions waiting to run: those to run now, and those to run once the
    response was sent (a command runs both at once)."""
    ready = session.info.pop(_READY, [])
    return (
        [action for action, later in ready if not later],
        [action for action, later in ready if later],
    )


def discard_pending(session: Session) -> None:
    """Forget everything queued (a unit of work that ends without a transaction)."""
    for key in (_ON_COMMIT, _ON_ROLLBACK, _READY):
        session.info.pop(key, None)


def run_actions(actions: Iterable[Action]) -> None:
    """Run each action; one that fails is logged (its type only) and the others still run."""
    for action in actions:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - the transaction is over: nothing to undo
            log.warning("Action après transaction en échec : %s", type(exc).__name__)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    actions = session.info.pop(_ON_COMMIT, [])
    session.info.pop(_ON_ROLLBACK, None)
    if not actions:
        return
    if session.info.get(_DEFER):
        session.info.setdefault(_READY, []).extend(actions)
    else:
        run_actions(action for action, _later in actions)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without a commit (after_commit pops the undo list)."""
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_ON_COMMIT, None)
    undo = session.info.pop(_ON_ROLLBACK, [])
    if undo:
        run_actions(undo)
