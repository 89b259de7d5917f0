"""Browser libraries come from npm at build time, pinned, and are served from static/ (DESIGN
"Offline and the browser": no CDN, nothing fetched at run time): jsQR for the attendance
scanner, installed by `make vendor`, which `make install` (so `make run` and `make test`) runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "talento" / "static" / "vendor" / "jsqr"


def test_jsqr_is_pinned_with_its_integrity_hash():
    wanted = json.loads((ROOT / "npm" / "package.json").read_text())["dependencies"]
    assert wanted == {"jsqr": "1.4.0"}  # an exact version, no range
    locked = json.loads((ROOT / "npm" / "package-lock.json").read_text())
    entry = locked["packages"]["node_modules/jsqr"]
    assert entry["version"] == "1.4.0"
    assert entry["integrity"].startswith("sha512-")


def test_make_install_vendors_it():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^install: .*\bvendor\b", makefile, re.MULTILINE)
    assert "npm ci --prefix $(NPM_BUILD) --ignore-scripts" in makefile
    assert "talento/static/vendor/" in (ROOT / ".gitignore").read_text()


def test_the_vendored_decoder_and_its_licence_are_in_static():
    script = (VENDOR / "jsQR.js").read_text(encoding="utf-8")
    assert script.startswith("(function webpackUniversalModuleDefinition(")
    assert 'exports["jsQR"]' in script
    # Nothing in it reaches for the network or evaluates strings (CSP: script-src 'self');
    # its one address is in a comment.
    assert re.findall(r"https?://\S+", script) == [
        "http://en.wikipedia.org/wiki/Bresenham's_line_algorithm"
    ]
    for forbidden in ("fetch(", "XMLHttpRequest", "eval(", "new Function", "importScripts"):
        assert forbidden not in script, forbidden
    assert "Apache License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
