"""Badges in a real browser (Chromium through Playwright): a casting user signed in downloads a
project's badges PDF; its QR codes are decoded from the PDF (zxing-cpp), and the page then
verifies every token with WebCrypto's Ed25519 and the public keys of
/projects/badge-keys.json — network cut off once the keys are fetched, as a scanning phone on
a set without signal — and refuses an altered one. This is what the attendance scanner (the
next issue) will do, in the browser it will run in.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.helpers import USER_PASSWORD
from tests.projects.badge_helpers import (
    add_booking,
    add_talents,
    embedded_qr_tokens,
    make_production,
    page_texts,
)

pytestmark = [pytest.mark.browser, pytest.mark.committed]

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
STAFF = {"email": "badges.browser@atlas-studios.ma", "code": "MAF0931CAS"}

#: What a scanner runs: the keys imported once, then each token checked offline.
VERIFY_JS = """
async ({ keys, tokens }) => {
  const bytes = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const imported = {};
  for (const key of keys.keys) {
    imported[key.kid] = await crypto.subtle.importKey(
      "raw", bytes(key.x), { name: "Ed25519" }, false, ["verify"]);
  }
  const results = [];
  for (const token of tokens) {
    const [payload, signature] = token.split(".");
    const claims = JSON.parse(new TextDecoder().decode(bytes(payload)));
    const key = imported[claims.k];
    const ok = key !== undefined &&
      await crypto.subtle.verify({ name: "Ed25519" }, key, bytes(signature), bytes(payload));
    results.push({ ok, code: claims.b, from: claims.f, until: claims.t, project: claims.p });
  }
  return results;
}
"""


@pytest.fixture
def settings(database_url, tmp_path_factory):
    from tests.helpers import make_settings

    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _log_in(page, email: str) -> None:
    from playwright.sync_api import expect

    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(email)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def test_badges_downloaded_in_a_browser_verify_offline_with_webcrypto(app, open_page, make_user):
    production = make_production(app)
    talents = add_talents(app, 3, start=70)
    codes = ["CCAFB0010070", "CCAFB0010071", "CCAFB0010072"]
    for talent, code in zip(talents, codes, strict=True):
        add_booking(app, production, "Nomades", talent, code)
    make_user(capabilities=["casting"], **STAFF)

    watched = open_page(**DESKTOP)
    page = watched.page
    _log_in(page, STAFF["email"])
    response = page.request.get(f"/projects/{production.project_id}/badges.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    texts = page_texts(pdf)
    assert [text.count(code) for text, code in zip(texts, codes, strict=True)] == [4, 4, 4]
    tokens = [found for page_tokens in embedded_qr_tokens(pdf) for found in page_tokens]
    assert len(tokens) == 3

    keys = page.evaluate("async () => (await fetch('/projects/badge-keys.json')).json()")
    page.context.set_offline(True)  # from here on, the "phone" has no network
    payload, signature = tokens[0].split(".")
    altered = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    results = page.evaluate(VERIFY_JS, {"keys": keys, "tokens": [*tokens, altered]})
    page.context.set_offline(False)

    assert [r["ok"] for r in results] == [True, True, True, False]
    assert [r["code"] for r in results[:3]] == codes
    assert {(r["from"], r["until"], r["project"]) for r in results[:3]} == {
        (dt.date(2027, 3, 15).isoformat(), dt.date(2027, 3, 16).isoformat(), production.project_id)
    }
    watched.assert_clean()
