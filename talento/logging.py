"""Logging: always stderr, optionally LOG_FILE; text or JSON; a request id on every line.

Log lines never carry a secret or decrypted personal data: messages name rows by id and keys
by fingerprint only.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
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


class JsonFormatter(logging.Formatter):
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
        JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
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
