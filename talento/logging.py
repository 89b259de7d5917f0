"""Logging: always stderr, optionally LOG_FILE; text or JSON; a request id on every line.

Log lines never carry a secret or decrypted personal data: messages name rows by id and keys
by fingerprint only. Exceptions are logged as their traceback frames and class names, never
their messages: a database error's message quotes the values it was given (names, e-mails,
ciphertexts), and so may a ValueError's. This holds for every record these handlers write,
the libraries' included, and for gunicorn's error log.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import traceback
from pathlib import Path

from talento.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current_request_id()
        return True


def _current_request_id() -> str:
    try:
        from flask import g, has_request_context

        if has_request_context():
            return g.get("request_id", "-")
    except Exception:  # noqa: BLE001, S110 - logging must never fail
        pass
    return "-"


def exception_class(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


def describe_exception(error: BaseException) -> str:
    """The exception's class, with what a database error says about the schema (the driver's
    class, SQLSTATE, constraint, table, column): never its message, which may quote values."""
    original = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
    source = original if isinstance(original, BaseException) else error
    details = [exception_class(source)] if source is not error else []
    sqlstate = getattr(source, "sqlstate", None) or getattr(source, "pgcode", None)
    if isinstance(sqlstate, str):
        details.append(f"SQLSTATE {sqlstate}")
    diag = getattr(source, "diag", None)
    for label in ("constraint", "table", "column"):
        name = getattr(diag, f"{label}_name", None)
        if isinstance(name, str) and name:
            details.append(f"{label} {name}")
    described = exception_class(error)
    return f"{described} ({', '.join(details)})" if details else described


_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"


def format_exception_safely(error: BaseException) -> str:
    """A traceback as Python prints it, chained causes included, each exception's message
    replaced by :func:`describe_exception` (frames show code, never values)."""
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    link: str | None = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    lines: list[str] = []
    for exc, link in reversed(chain):
        if exc.__traceback__ is not None:
            lines.append("Traceback (most recent call last):")
            frames = traceback.extract_tb(exc.__traceback__)
            lines.extend(text.rstrip("\n") for text in traceback.format_list(frames))
        lines.append(describe_exception(exc) + " [message omis]")
        if link is not None:
            lines.extend(("", link, ""))
    return "\n".join(lines)


def _safe_exc_text(exc_info) -> str:
    error = exc_info[1] if exc_info and exc_info[1] is not None else None
    if error is None:
        kind = exc_info[0] if exc_info else None
        return kind.__qualname__ if isinstance(kind, type) else ""
    return format_exception_safely(error)


class SafeExceptions(logging.Filter):
    """For handlers and formatters that are not ours (gunicorn's error log): the record's
    exception text is filled in safely first, and ``logging.Formatter`` uses it as it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.exc_text = _safe_exc_text(record.exc_info)
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info:  # never the text another handler's formatter cached on the record
            record.exc_text = None
        return super().format(record)

    def formatException(self, ei) -> str:
        return _safe_exc_text(ei)


class JsonFormatter(logging.Formatter):
    def formatException(self, ei) -> str:
        return _safe_exc_text(ei)

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


class LogFileError(Exception):
    pass


def setup_logging(settings: Settings) -> None:
    """(Re)configure the root logger. Raises LogFileError if LOG_FILE cannot be written."""
    formatter: logging.Formatter = (
        JsonFormatter() if settings.log_format == "json" else TextFormatter()
    )
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.log_file:
        handlers.append(open_log_file(settings.log_file))
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_talento", False):
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        handler._talento = True  # type: ignore[attr-defined]
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    root.setLevel(settings.log_level)
    # gunicorn's error log ("Error handling request") has its own handlers and formatter
    gunicorn_errors = logging.getLogger("gunicorn.error")
    if not any(isinstance(f, SafeExceptions) for f in gunicorn_errors.filters):
        gunicorn_errors.addFilter(SafeExceptions())


def open_log_file(path: str) -> logging.Handler:
    """A WatchedFileHandler (logrotate-friendly); creates the parent directory."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return logging.handlers.WatchedFileHandler(target, encoding="utf-8")
    except OSError as exc:
        raise LogFileError(
            f"LOG_FILE={path} n'est pas accessible en écriture ({exc.strerror}). "
            f"Créez le dossier et donnez-le à l'utilisateur du service, par exemple : "
            f"sudo mkdir -p {target.parent} && sudo chown talento: {target.parent}"
        ) from exc
