"""Flask extensions, created unbound and initialised by create_app.

The session convention (checked by mypy): a service takes a plain ``sqlalchemy.orm.Session``
argument and knows nothing of Flask-SQLAlchemy. A view or a command passes the session of the
current application context as ``db.session()``: calling the ``scoped_session`` proxy returns
the very Session that ``db.session.<method>`` would reach, so passing it changes nothing at run
time, and services stay typed with the real class. ``db.session`` itself (the proxy, typed
``scoped_session``) is only for code that needs the registry, such as ``db.session.remove()``,
or a streamed response body that reads after the request's teardown (the admin export, see
:mod:`talento.admin.export_views`).

Models subclass :data:`Model`, not ``db.Model`` directly: mypy cannot use an attribute of an
instance as a base class (python/mypy#8603).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CheckConstraint, CursorResult, DateTime, MetaData, Result, Table, func
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz`` and returns aware values; SQLite has no time zone type
    and returns naive ones, which this type reads back as UTC (Talento writes only UTC). Naive
    values are refused on the way in, so a local time can never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: Talento stores timezone-aware UTC values only")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


def one_of(column: str, values: Iterable[enum.Enum | str], name: str) -> CheckConstraint:
    """A CHECK constraint listing an enum's values, so the database and the code agree."""
    allowed = ", ".join("'{}'".format(getattr(v, "value", v)) for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


class Base(DeclarativeBase):
    """Naming convention for constraints; timezone-aware datetimes everywhere."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utctoday() -> dt.date:
    """Today's date in UTC, the one clock Talento keeps (export names, age checks)."""
    return utcnow().date()


CreatedAt = Annotated[
    dt.datetime, mapped_column(default=utcnow, server_default=func.current_timestamp())
]
UpdatedAt = Annotated[
    dt.datetime,
    mapped_column(default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()),
]

db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # At run time db.Model is Flask-SQLAlchemy's copy of Base (same registry, metadata and
    # type map, plus its query and bind mixins, which Talento does not use); for the type
    # checker it is Base.
    Model = Base
else:
    Model = db.Model


def table_of(model: Any) -> Table:
    """The ``Table`` behind a mapped class (typed as such: ``__table__`` is a FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """Rows matched by an UPDATE or DELETE run with ``Session.execute``.

    ``Session.execute`` is typed to return a ``Result``; for a DML statement SQLAlchemy
    returns a ``CursorResult``, the class that carries ``rowcount``.
    """
    assert isinstance(result, CursorResult)
    return result.rowcount


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
