"""What every template can use without the view passing it: language helpers and the label
dictionaries of the enums templates display (availability, work mode, gender...)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, request

from talento.context import current_language
from talento.crypto import Unavailable
from talento.i18n import SUPPORTED_LANGUAGES


def lang_url(lang: str) -> str:
    """The current page in another language, keeping its query (e.g. filters)."""
    args = request.args.copy()
    args["lang"] = lang
    return f"{request.path}?{urlencode(list(args.items(multi=True)))}"


def is_unavailable(value) -> bool:
    """A value no configured key could decrypt (templates show it as unavailable)."""
    return isinstance(value, Unavailable)


def register_template_context(app: Flask) -> None:
    from talento.profiles.choices import AVAILABILITY_LABELS, GENDER_LABELS, WORK_MODE_LABELS
    from talento.profiles.visibility import VISIBILITY_LABELS

    app.jinja_env.globals.update(
        lang_url=lang_url,
        languages=SUPPORTED_LANGUAGES,
        is_unavailable=is_unavailable,
        availability_labels=AVAILABILITY_LABELS,
        work_mode_labels=WORK_MODE_LABELS,
        gender_labels=GENDER_LABELS,
        visibility_labels=VISIBILITY_LABELS,
    )

    @app.context_processor
    def per_request() -> dict:
        return {"current_lang": current_language(), "database_down": g.get("database_down", False)}
