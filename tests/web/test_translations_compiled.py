"""A clone served without `make install` (no .mo: they are not versioned) still speaks English:
the app compiles missing or stale catalogues when it starts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from talento import i18n
from talento.web import build_app
from tests.helpers import make_settings

pytestmark = pytest.mark.committed  # a second app, with its own engine


def _clone_catalogues(tmp_path: Path) -> Path:
    """The translations folder of a fresh clone: the .po files only."""
    copy = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    assert not list(copy.glob("*/LC_MESSAGES/*.mo"))
    return copy


def _english_login_page(database_url: str) -> str:
    app = build_app(make_settings(database_url))
    response = app.test_client().get("/auth/login?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_clone_without_mo_speaks_english(tmp_path, monkeypatch, database_url):
    catalogues = _clone_catalogues(tmp_path)
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", catalogues)
    page = _english_login_page(database_url)
    assert "Sign in" in page
    assert (catalogues / "en" / "LC_MESSAGES" / "messages.mo").is_file()


def test_stale_mo_is_recompiled(tmp_path, monkeypatch):
    catalogues = _clone_catalogues(tmp_path)
    mo = catalogues / "en" / "LC_MESSAGES" / "messages.mo"
    mo.write_bytes(b"")  # an old, broken compilation
    os.utime(mo, (1, 1))
    assert i18n.compiled_translations(catalogues) == catalogues
    assert mo.stat().st_size > 0
    assert b"Sign in" in mo.read_bytes()


def test_read_only_install_compiles_elsewhere(tmp_path, monkeypatch, database_url):
    catalogues = _clone_catalogues(tmp_path)
    compile_for_real = i18n._compile

    def read_only(po: Path, mo: Path) -> None:
        if mo.is_relative_to(catalogues):
            raise PermissionError(13, "Read-only file system")
        compile_for_real(po, mo)

    monkeypatch.setattr(i18n, "_compile", read_only)
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", catalogues)
    served = i18n.compiled_translations()
    try:
        assert served != catalogues
        assert (served / "en" / "LC_MESSAGES" / "messages.mo").is_file()
        assert "Sign in" in _english_login_page(database_url)
        assert not list(catalogues.glob("*/LC_MESSAGES/*.mo"))
    finally:
        shutil.rmtree(served, ignore_errors=True)
