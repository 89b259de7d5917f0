"""Input PostgreSQL cannot store never reaches it: one gate for every route, one id converter.

A PostgreSQL ``text``/``varchar`` value cannot hold U+0000, and a lone surrogate (U+D800 to
U+DFFF) cannot even be encoded to UTF-8 by the driver: either one in a value that reaches a
query is a driver error, answered as a 500. Rather than clean every field of every form, the
gate :func:`refuse_unstorable_input` looks at everything a request carries that a view may
read and store — the path, the query string, form fields, uploaded file names, a JSON body,
names as well as values — and answers 400 with a readable page right after the request id is
assigned, before the other gates, CSRF or the user loader run. People practically never type
or paste these characters (a form error would mostly be read by scripts), so one page saying
what was wrong serves every form, including those added later.

Invalid UTF-8 (``%FF``) is not refused here: werkzeug decodes it as U+FFFD, which is stored
like any other character. Surrogates only arrive through JSON ``\\ud800`` escapes.

Ids in URLs go through :class:`IdConverter` (installed as ``int``): ASCII digits up to
PostgreSQL's ``integer`` range (every id column is ``integer``), so ``/admin/users/99…9`` is
a 404 instead of an out-of-range query. Ids in forms and query strings go through
:func:`talento.profiles.search.query_args.parse_id`, which has the same bound.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from flask import Flask, g, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from talento.i18n import gettext as _
from talento.profiles.search.query_args import MAX_ID

log = logging.getLogger(__name__)

#: What PostgreSQL text refuses: NUL, and lone surrogates (not encodable to UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: Methods whose body is read (form fields, files, JSON).
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class UnstorableInput(BadRequest):
    """400: the request carries a character no text column can hold. Its page says so, and is
    rendered without the database (nothing of this request may reach it)."""

    description = "The request contains a character that is not allowed (NUL or invalid)."

    def __init__(self, where: str):
        super().__init__()
        self.where = where

    @property
    def page_message(self) -> str:
        return _(
            "La requête contient un caractère non autorisé (caractère nul ou invalide). "
            "Revenez à la page précédente, retirez-le du texte saisi et réessayez."
        )


class MalformedJson(BadRequest):
    """400: a JSON body nested too deep for the parser (invalid JSON is left to the view)."""

    @property
    def page_message(self) -> str:
        return _("Le contenu JSON de la requête est illisible.")


def is_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def _pairs(multidict) -> Iterator[str]:
    for key, value in multidict.items(multi=True):
        yield key
        yield value


def _json_strings(value: object) -> Iterator[str]:
    """Every string of a parsed JSON document, object keys included (iterative: no depth
    limit of our own beyond the parser's)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from (key for key in item if isinstance(key, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _request_strings() -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text the request carries that a view may store."""
    yield "path", request.path
    for text in _pairs(request.args):
        yield "query", text
    if request.method not in _BODY_METHODS:
        return
    for text in _pairs(request.form):
        yield "form", text
    for key, storage in request.files.items(multi=True):
        yield "file", key
        yield "file", storage.filename or ""
    if request.is_json:
        try:
            document = request.get_json(silent=True)
        except RecursionError:  # silent=True only covers ValueError
            g.error_page_without_database = True
            log.warning("Requête refusée : JSON trop imbriqué (%s)", request.endpoint or "-")
            raise MalformedJson() from None
        for text in _json_strings(document):
            yield "json", text


def refuse_unstorable_input() -> None:
    """The gate: 400 when any text of the request holds a character PostgreSQL refuses."""
    for where, text in _request_strings():
        if is_unstorable(text):
            g.error_page_without_database = True
            # where, never the value: it is what someone typed or sent
            log.warning(
                "Requête refusée : caractère non stockable (%s) sur %s %s",
                where,
                request.method,
                request.endpoint or "-",
            )
            raise UnstorableInput(where)


class IdConverter(IntegerConverter):
    """``<int:…>``: ASCII digits only (``\\d`` would take ``١٢``) up to :data:`MAX_ID`;
    anything else does not match the route, a 404."""

    regex = rf"[0-9]{{1,{len(str(MAX_ID))}}}"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install_id_converter(app: Flask) -> None:
    """Make the bounded converter the app's ``int``; call it before any route is added."""
    app.url_map.converters["int"] = IdConverter
