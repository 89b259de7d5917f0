"""The legal pages: their stored Markdown or the French default shipped with the code, saving
an admin's edit, and rendering with the site's own facts filled in.

A page with no row in ``legal_pages`` shows its default (``content/defaults/<slug>.md``); the
first save stores a row, « restore the default » deletes it. The texts are French (the
platform's legal language in Morocco); the page around them follows the visitor's language.

Placeholders, replaced at display time so that changing a setting updates every page:

- ``{{ site_url }}``: BASE_URL;
- ``{{ contact_email }}``: CONTACT_EMAIL as a mailto link (or a « to be completed » mark);
- ``{{ cndp }}``: the sentence about the CNDP declaration (law 09-08) with
  CNDP_DECLARATION_NUMBER, or saying the declaration is in progress while it is empty.

Every save and restore is audited with the page's slug (never its text).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.audit.models import AuditAction
from talento.audit.services import Actor, record
from talento.content.markdown import render_markdown
from talento.content.models import LegalPage
from talento.extensions import utcnow
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.refusals import Refused

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
#: A legal page is a few pages of text; this bounds a paste gone wrong.
MAX_BODY_LENGTH = 100_000


@dataclass(frozen=True)
class LegalPageKind:
    """One of the four legal pages: its slug (the stored key, also its public path) and the
    endpoint that shows it."""

    slug: str
    endpoint: str
    title: str


#: In the footer's order.
LEGAL_PAGES: tuple[LegalPageKind, ...] = (
    LegalPageKind("mentions-legales", "legal.notice", _l("Mentions légales")),
    LegalPageKind("confidentialite", "legal.privacy", _l("Politique de confidentialité")),
    LegalPageKind("conditions", "legal.terms", _l("Conditions d'utilisation")),
    LegalPageKind("cookies", "legal.cookies", _l("Cookies")),
)
BY_SLUG = {kind.slug: kind for kind in LEGAL_PAGES}
PLACEHOLDERS = ("{{ site_url }}", "{{ contact_email }}", "{{ cndp }}")
#: The placeholder a page should keep (the admin's edit page warns when it is gone).
REQUIRED_PLACEHOLDERS = {"confidentialite": ("{{ cndp }}",)}


@dataclass(frozen=True)
class LegalText:
    slug: str
    #: Markdown: the stored text, or the shipped default.
    body: str
    updated_at: dt.datetime | None = None
    updated_by_id: int | None = None

    @property
    def is_default(self) -> bool:
        return self.updated_at is None

    @property
    def kind(self) -> LegalPageKind:
        return BY_SLUG[self.slug]

    @property
    def missing_placeholders(self) -> tuple[str, ...]:
        return tuple(p for p in REQUIRED_PLACEHOLDERS.get(self.slug, ()) if p not in self.body)


@dataclass(frozen=True)
class SiteFacts:
    """What the placeholders stand for (from the settings)."""

    site_url: str
    contact_email: str | None = None
    cndp_number: str | None = None


def _known(slug: str) -> LegalPageKind:
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise LookupError(slug) from None


@functools.cache
def default_body(slug: str) -> str:
    """The French text shipped with the code."""
    _known(slug)
    return (DEFAULTS_DIR / f"{slug}.md").read_text(encoding="utf-8")


def legal_text(session: Session, slug: str) -> LegalText:
    """The page's text: stored, or the default. LookupError for an unknown slug."""
    _known(slug)
    row = session.get(LegalPage, slug)
    if row is None:
        return LegalText(slug, default_body(slug))
    return LegalText(slug, row.body, row.updated_at, row.updated_by_id)


def legal_texts(session: Session) -> list[LegalText]:
    """The four pages in footer order (one query)."""
    rows = {row.slug: row for row in session.scalars(select(LegalPage))}
    texts = []
    for kind in LEGAL_PAGES:
        row = rows.get(kind.slug)
        if row is None:
            texts.append(LegalText(kind.slug, default_body(kind.slug)))
        else:
            texts.append(LegalText(kind.slug, row.body, row.updated_at, row.updated_by_id))
    return texts


def clean_body(body: str) -> str:
    """Line ends as ``\\n``, no trailing blanks at the end, no NUL (PostgreSQL refuses it)."""
    return body.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip() + "\n"


def save_legal_text(session: Session, slug: str, body: str, actor: Actor) -> LegalText:
    """Store an admin's text. Refused when empty or too long."""
    _known(slug)
    body = clean_body(body)
    if not body.strip():
        raise Refused(
            "body",
            _(
                "Le texte est vide. Pour revenir au texte fourni avec Talento, utilisez "
                "« Rétablir le texte par défaut »."
            ),
        )
    if len(body) > MAX_BODY_LENGTH:
        raise Refused(
            "body",
            _(
                "Le texte est trop long (%(length)d caractères, %(most)d au plus).",
                length=len(body),
                most=MAX_BODY_LENGTH,
            ),
        )
    row = session.get(LegalPage, slug)
    if row is None:
        row = LegalPage(slug=slug)
        session.add(row)
    row.body = body
    row.updated_at = utcnow()  # also when the text is unchanged: the admin saved it
    row.updated_by_id = actor.id
    record(session, AuditAction.LEGAL_PAGE_UPDATE, actor, detail={"slug": slug})
    session.flush()
    return LegalText(slug, row.body, row.updated_at, row.updated_by_id)


def restore_default(session: Session, slug: str, actor: Actor) -> LegalText:
    """Forget the stored text: the page shows the shipped default again."""
    _known(slug)
    row = session.get(LegalPage, slug)
    if row is not None:
        session.delete(row)
    record(session, AuditAction.LEGAL_PAGE_UPDATE, actor, detail={"slug": slug, "restored": True})
    session.flush()
    return LegalText(slug, default_body(slug))


# -- display -----------------------------------------------------------------------------------

_MARKDOWN_PUNCTUATION_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def _literal(text: str) -> str:
    """`text` as Markdown that shows exactly `text` (every markup character escaped)."""
    return _MARKDOWN_PUNCTUATION_RE.sub(r"\\\1", text)


def cndp_sentence(number: str | None) -> str:
    """The privacy policy's statement about the declaration to the CNDP (in French, as the
    legal texts are)."""
    if number:
        return (
            "Le traitement des données personnelles mis en œuvre par Talento a été déclaré à la "
            "Commission nationale de contrôle de la protection des données à caractère personnel "
            f"(CNDP) sous le numéro **{_literal(number)}**, conformément à la loi n° 09-08."
        )
    return (
        "La déclaration du traitement des données personnelles mis en œuvre par Talento auprès "
        "de la Commission nationale de contrôle de la protection des données à caractère "
        "personnel (CNDP), prévue par la loi n° 09-08, est en cours d'instruction. Son numéro "
        "sera publié sur cette page dès sa délivrance."
    )


def fill_placeholders(body: str, facts: SiteFacts) -> str:
    contact = (
        f"[{_literal(facts.contact_email)}](<mailto:{facts.contact_email}>)"
        if facts.contact_email
        else "[adresse de contact à compléter]"
    )
    values = {
        "{{ site_url }}": f"<{facts.site_url}>",
        "{{ contact_email }}": contact,
        "{{ cndp }}": cndp_sentence(facts.cndp_number),
    }
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return body


def render_legal_text(text: LegalText, facts: SiteFacts) -> Markup:
    """The page's HTML: placeholders filled, Markdown rendered with raw HTML escaped."""
    return render_markdown(fill_placeholders(text.body, facts))
