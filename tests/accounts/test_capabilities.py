"""An account's capabilities: a set held in account_capabilities, read with the user."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from talento.accounts.capabilities import (
    capability_names,
    holds_capability,
    may_filter_availability,
    may_save_searches,
)
from talento.accounts.models import AccountCapability, Capability, User, holds, in_order
from talento.extensions import db


def _rows(user_id: int) -> list[str]:
    return sorted(
        db.session.scalars(
            select(AccountCapability.capability).where(AccountCapability.user_id == user_id)
        )
    )


def test_grant_revoke_and_set(app, make_user):
    user_id = make_user()  # a talent unless told otherwise
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.capabilities == {"talent"}
        assert user.can("talent")
        assert not user.can("recruiter")
        assert not user.is_admin
        assert user.grant(Capability.RECRUITER.value)
        assert not user.grant("recruiter")  # already held
        db.session.commit()
        assert _rows(user_id) == ["recruiter", "talent"]
        assert user.revoke("talent")
        assert not user.revoke("talent")
        db.session.commit()
        assert _rows(user_id) == ["recruiter"]
        assert user.set_capabilities(["admin", "recruiter"])
        assert not user.set_capabilities({"recruiter", "admin"})
        db.session.commit()
        db.session.expire_all()
        user = db.session.get(User, user_id)
        assert user.is_admin
        assert user.capabilities == {"admin", "recruiter"}
        with pytest.raises(ValueError, match="director"):
            user.set_capabilities(["talent", "director"])
        assert user.capabilities == {"admin", "recruiter"}  # unchanged
        ids = set(db.session.scalars(select(User.id).where(holds("recruiter"))))
        assert ids == {user_id}
        db.session.remove()


def test_capabilities_come_with_the_user_and_checks_do_not_query(app, make_user):
    user_id = make_user(capabilities=["talent", "recruiter"])
    with app.app_context():
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            user = db.session.get(User, user_id)
            loaded = len(statements)
            assert user.can("recruiter")
            assert may_save_searches(user)
            assert may_filter_availability(user)
            assert not user.is_admin
            assert len(statements) == loaded  # no query for the checks
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        db.session.remove()


def test_anonymous_visitors_hold_nothing(app):
    from flask_login import AnonymousUserMixin

    nobody = AnonymousUserMixin()
    assert not holds_capability(nobody, "talent")
    assert not may_filter_availability(nobody)
    assert not may_save_searches(nobody)


def test_order_and_names(app):
    assert in_order(["admin", "talent", "recruiter", "talent"]) == ["talent", "recruiter", "admin"]
    with app.test_request_context():
        assert capability_names({"admin", "recruiter"}) == "Recruteur, Administrateur"


def test_a_new_account_takes_its_capabilities_in_the_constructor(app):
    user = User(code="MAF0001CAS", email="a@example.org", capabilities=["presence", "admin"])
    assert user.capabilities == {"presence", "admin"}
    assert [row.capability for row in user.capability_rows] == ["presence", "admin"]
