"""The one error family services raise when they refuse input.

Services take plain data (dataclasses, upload streams) and never see a form or a request, so
they cannot write errors onto form fields. They raise ``Refused(field, message)`` instead, or
``Refusals([...])`` when several fields are wrong at once; the view maps each refusal onto the
form field of the same name (``field`` is ``None`` for a refusal of the whole submission).
``status`` is the HTTP status the view should answer with (422 for bad input, 409 for a
conflict such as a taken e-mail, 503 when storage failed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class Refused(Exception):
    """One field (or the whole submission, ``field=None``) refused with a readable message."""

    def __init__(self, field: str | None, message: str, *, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status

    def __iter__(self) -> Iterator[Refused]:
        yield self

    def __repr__(self) -> str:
        return f"Refused({self.field!r}, {self.message!r}, status={self.status})"


_SERIOUSNESS = {422: 0, 400: 0, 409: 1, 503: 2}


class Refusals(Refused):
    """Several refusals at once; iterating yields each one. Its status is the most serious of
    theirs: storage failure (503) over conflict (409) over bad input (422)."""

    def __init__(self, refusals: Iterable[Refused]):
        self.refusals = [one for refusal in refusals for one in refusal]
        if not self.refusals:
            raise ValueError("Refusals needs at least one refusal")
        first = self.refusals[0]
        status = max((r.status for r in self.refusals), key=lambda s: _SERIOUSNESS.get(s, 0))
        super().__init__(first.field, first.message, status=status)

    def __iter__(self) -> Iterator[Refused]:
        yield from self.refusals

    def __repr__(self) -> str:
        return f"Refusals({self.refusals!r})"


def apply_to_form(form, refusal: Refused) -> int:
    """Write each refusal onto the form field of its name (or the form's own errors) and return
    the HTTP status to answer with. Views call this; services never see the form."""
    for one in refusal:
        field = getattr(form, one.field, None) if one.field else None
        if field is not None and hasattr(field, "errors"):
            errors = field.errors if isinstance(field.errors, list) else list(field.errors)
            errors.append(one.message)
            field.errors = errors
        else:
            form.form_errors.append(one.message)
    return refusal.status
