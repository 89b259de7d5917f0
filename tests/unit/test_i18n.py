"""Translations: French is the source language, English must be complete, the choice sticks.

To add or change a user-visible string (always in French, wrapped in `_()` / `_l()`), run the
commands in HOW_TO_FIX below; they are also in the README.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from talento.settings import PROJECT_ROOT
from tests.helpers import login

TRANSLATIONS = PROJECT_ROOT / "talento" / "translations"
LANGUAGES = ("en", "fr")
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]
EXTRACT_ARGS = ["extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext"]

EXTRACT = (
    ".venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -c TRANSLATORS: \\\n"
    "    --project=Talento --version=0.1.0 --copyright-holder=Talento \\\n"
    "    -o talento/translations/messages.pot ."
)
UPDATE = (
    ".venv/bin/pybabel update -i talento/translations/messages.pot \\\n"
    "    -d talento/translations -D messages"
)
HOW_TO_FIX = f"""
To update the catalogues, from the project root:
{EXTRACT}
{UPDATE}
then translate every empty msgstr in talento/translations/en/LC_MESSAGES/messages.po,
check each "#, fuzzy" entry and delete the flag, and run `make translations`.
"""


def _po(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _compile_if_stale(lang: str) -> bool:
    """Write messages.mo next to messages.po when missing or older (pytest run without make)."""
    po, mo = _po(lang), _po(lang).with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return False
    catalog = _read(po, lang)
    fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
    with os.fdopen(fd, "wb") as handle:
        write_mo(handle, catalog, use_fuzzy=True)  # as `make translations` does
    os.chmod(tmp, 0o644)  # mkstemp creates 0600; match what `pybabel compile` writes
    os.replace(tmp, mo)
    return True


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    compiled = [_compile_if_stale(lang) for lang in LANGUAGES]
    if any(compiled):
        # Flask-Babel caches loaded catalogues process-wide, on the shared Babel object: forget
        # any empty catalogue an earlier test module loaded before the .mo files existed.
        # (`domain_instance` is a cached property: absent until a first request used it.)
        from talento.extensions import babel

        domain = vars(babel).get("domain_instance")
        if domain is not None:
            domain.cache.clear()


# --- catalogues ---------------------------------------------------------------------------


def test_english_catalogue_is_complete():
    catalog = _read(_po("en"), "en")
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(_msgid(message))
        if message.fuzzy:
            fuzzy.append(_msgid(message))
    if catalog.fuzzy:
        fuzzy.append("(the header)")
    assert not untranslated, f"en/messages.po: untranslated {untranslated}\n{HOW_TO_FIX}"
    assert not fuzzy, (
        f"en/messages.po: untranslated {untranslated}, flagged fuzzy {fuzzy}\n{HOW_TO_FIX}"
    )
    # Placeholders such as %(name)s must survive translation.
    problems = [(_msgid(m), [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems, f"format errors in en/messages.po: {problems}"


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory) -> set[str]:
    """Every msgid currently in the code and templates, extracted like the documented command."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(
        [*PYBABEL, *EXTRACT_ARGS, "-o", str(pot), "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ids = {_msgid(m) for m in _read(pot) if m.id}
    assert "Connexion" in ids, "extraction found no template strings: check babel.cfg"
    assert "Identifiant ou mot de passe incorrect." in ids, "extraction missed Python code"
    return ids


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_every_source_string(source_msgids, lang):
    known = {_msgid(m) for m in _read(_po(lang), lang) if m.id}
    missing = sorted(source_msgids - known)
    assert not missing, f"strings missing from {lang}/messages.po: {missing}\n{HOW_TO_FIX}"


def test_template_is_up_to_date(source_msgids):
    known = {_msgid(m) for m in _read(TRANSLATIONS / "messages.pot") if m.id}
    missing = sorted(source_msgids - known)
    assert not missing, f"strings missing from messages.pot: {missing}\n{HOW_TO_FIX}"


def test_catalogues_compile(tmp_path):
    for lang in LANGUAGES:
        target = tmp_path / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(_po(lang), target / "messages.po")
    result = subprocess.run(
        [*PYBABEL, "compile", "-d", str(tmp_path), "-D", "messages", "--statistics"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for lang in LANGUAGES:
        assert (tmp_path / lang / "LC_MESSAGES" / "messages.mo").is_file(), output
    assert re.search(r"\(100%\) translated in \S*/en/LC_MESSAGES/messages\.po", output), output


# --- language selection -------------------------------------------------------------------


def _page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', html)
    assert match, "no <html lang> attribute"
    return match.group(1)


def test_french_by_default(client):
    html = _page(client.get("/auth/login"))
    assert _lang(html) == "fr"
    assert "Connexion" in html
    assert "Mot de passe" in html


def test_lang_parameter_switches_to_english_and_is_remembered(client):
    html = _page(client.get("/auth/login?lang=en"))
    assert _lang(html) == "en"
    assert "Sign in" in html
    assert "Password" in html  # lazy form label
    assert "Connexion" not in html
    cookie = client.get_cookie("lang")
    assert cookie is not None
    assert cookie.value == "en"

    html = _page(client.get("/auth/login"))  # no parameter: the cookie decides
    assert _lang(html) == "en"
    assert "Sign in" in html

    html = _page(client.get("/auth/login?lang=fr"))
    assert _lang(html) == "fr"
    assert client.get_cookie("lang").value == "fr"
    assert _lang(_page(client.get("/auth/login"))) == "fr"


def test_unsupported_lang_parameter_is_ignored(client):
    response = client.get("/auth/login?lang=xx")
    assert _lang(_page(response)) == "fr"
    assert client.get_cookie("lang") is None


def test_accept_language_english(client):
    html = _page(client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert _lang(html) == "en"
    assert "Sign in" in html


def test_accept_language_unsupported_falls_back_to_french(client):
    html = _page(client.get("/auth/login", headers={"Accept-Language": "ar"}))
    assert _lang(html) == "fr"
    assert "Connexion" in html


def test_cookie_wins_over_accept_language(client):
    client.get("/auth/login?lang=fr")
    html = _page(client.get("/auth/login", headers={"Accept-Language": "en"}))
    assert _lang(html) == "fr"


# --- strings from Python code -------------------------------------------------------------


def test_login_error_in_english(client):
    client.get("/auth/login?lang=en")
    response = login(client, "nobody@example.org", "wrong-password")
    assert response.status_code == 401
    assert "Incorrect identifier or password." in response.get_data(as_text=True)


def test_login_required_message_in_english(client):
    response = client.get("/profile?lang=en", follow_redirects=True)
    assert "Please sign in to access this page." in _page(response)


def test_error_page_in_english(client):
    response = client.get("/no-such-page?lang=en")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert _lang(html) == "en"
    assert "Page not found" in html


def test_unavailable_marker_is_translated(app):
    from talento.crypto import UNAVAILABLE

    with app.test_request_context("/?lang=en"):
        assert "Data unavailable" in UNAVAILABLE.__html__()
    with app.test_request_context("/"):
        assert "Donnée indisponible" in UNAVAILABLE.__html__()
