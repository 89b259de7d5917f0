"""Markdown written by admins, rendered safely: CommonMark with raw HTML off.

- Raw HTML in the source is shown as text (``<script>`` becomes ``&lt;script&gt;``), never
  passed through: an admin account taken over cannot plant a script on a public page.
- Links go to ``http:``, ``https:`` or ``mailto:`` addresses, or to a path of this site
  (``/confidentialite``, ``#cookies``). Any other link (``javascript:``, ``data:``, ``vbscript:``,
  ``file:``, a scheme hidden by percent-encoding) is refused by markdown-it's link validation and
  stays visible as the text the admin typed, without a link.
- Tables and ~~strikethrough~~ are on (GitHub's syntax). Images are off: the site's
  Content-Security-Policy would block other sites' images anyway, and a legal page needs none.

The library is markdown-it-py (CommonMark-compliant, maintained by the Executable Books project);
its output escapes every text and attribute value.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

#: A link that may be followed: an absolute http(s) or mailto address, a path of this site
#: (one slash, not the protocol-relative ``//``), or an anchor of the page.
_ALLOWED_LINK_RE = re.compile(r"^(?:https?://|mailto:|/(?!/)|#)", re.IGNORECASE)


def _allowed_link(url: str) -> bool:
    return bool(_ALLOWED_LINK_RE.match(url.strip()))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.disable("image")
    # An instance attribute replaces the method markdown-it calls on every link and autolink.
    md.validateLink = _allowed_link  # type: ignore[method-assign]
    return md


_MD = _parser()


def render_markdown(source: str) -> Markup:
    """HTML of `source`, safe to place in a page as is."""
    return Markup(_MD.render(source))  # noqa: S704 - raw HTML is off and links are filtered
