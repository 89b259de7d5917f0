"""`make bench`: admin pages on the directory bench's PostgreSQL database (100,000 talents).

Called by :mod:`bench.directory` once its data is loaded: gives every talent an
encrypted phone number and its blind index (as the app writes them), then times the admin
list, a three-filter page, an exact phone search and the dashboard figures. Figures only.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session


def add_phones(session: Session, keyring) -> int:
    """Encrypted phone + blind index for every user, in batches (bulk UPDATE by id)."""
    from talento.accounts.models import User

    table = User.__table__
    ids = session.scalars(select(User.id).order_by(User.id)).all()
    for start in range(0, len(ids), 5000):
        rows = []
        for user_id in ids[start : start + 5000]:
            e164 = f"+2126{user_id:08d}"
            rows.append(
                {"uid": user_id, "p": keyring.encrypt(e164), "pi": keyring.blind_index(e164)}
            )
        session.execute(
            update(table)
            .where(table.c.id == bindparam("uid"))
            .values(phone=bindparam("p"), phone_index=bindparam("pi")),
            rows,
        )
    session.commit()
    # As autovacuum would have by then: the UPDATE left a dead copy of every row.
    with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE users"))
    return len(ids)


def admin_cases(session: Session, keyring, median_ms: Callable) -> dict[str, float]:
    from talento.admin.services import dashboard_figures
    from talento.profiles.search.people import parse_admin_filters, search_users

    cases = {
        "admin_first_page_ms": {},
        "admin_three_filters_ms": {"country": "SN", "status": "active", "skill": "actor"},
        "admin_phone_search_ms": {"q": "+212 6 00 01 23 45"},
        "admin_name_search_ms": {"q": "ben"},
    }
    results: dict[str, float] = {}
    for label, args in cases.items():
        filters = parse_admin_filters(args)
        results[label] = median_ms(lambda f=filters: search_users(session, f, keyring, "fr"))
    found = search_users(session, parse_admin_filters(cases["admin_phone_search_ms"]), keyring)
    results["admin_phone_search_found"] = found.total
    results["dashboard_ms"] = median_ms(lambda: dashboard_figures(session, "fr"))
    return results
