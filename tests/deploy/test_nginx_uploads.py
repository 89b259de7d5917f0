"""nginx and the app agree on upload sizes (issue 12, point 3).

deploy/nginx.conf's ``client_max_body_size`` equals the app's REQUEST_MAX_MB (default); a
request over it gets nginx's readable page (``error_page 413``), never nginx's bare one. The
last test runs the real nginx with the real site file in front of the app: a 25 MB photo
(over PHOTO_MAX_MB, under the cap) reaches the app and comes back as the form with its error
and everything typed; a request over the cap gets the readable page from nginx itself.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import socket
import ssl
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from talento.settings import (
    CV_MAX_MB,
    DEFAULT_PHOTO_MAX_MB,
    DEFAULT_REQUEST_MAX_MB,
    FORM_FIELDS_MB,
    PROJECT_ROOT,
)

DEPLOY = PROJECT_ROOT / "deploy"
NGINX = "/usr/sbin/nginx"
MB = 1024 * 1024
ERRORS_ROOT = "/opt/talento/talento/static/errors"


def _site_code() -> str:
    site = (DEPLOY / "nginx.conf").read_text()
    return "\n".join(line.split("#", 1)[0] for line in site.splitlines())


def test_nginx_body_limit_is_the_apps_request_cap():
    sizes = re.findall(r"^\s*client_max_body_size\s+(\d+)m;", _site_code(), re.M)
    assert sizes == [str(DEFAULT_REQUEST_MAX_MB)]
    assert DEFAULT_REQUEST_MAX_MB >= DEFAULT_PHOTO_MAX_MB + CV_MAX_MB + FORM_FIELDS_MB


def test_nginx_shows_a_readable_page_for_its_own_413():
    code = _site_code()
    assert "error_page 413 /413.html;" in code
    block = re.search(r"location = /413\.html \{(.*?)\}", code, re.S).group(1)
    assert "internal;" in block
    assert f"root {ERRORS_ROOT};" in block
    page = PROJECT_ROOT / "talento" / "static" / "errors" / "413.html"
    text = page.read_text(encoding="utf-8")
    assert "Fichier trop volumineux" in text
    assert "bouton Retour" in text
    assert 'lang="en"' in text
    # A static page cannot follow the settings: it names no number of MB.
    assert not re.search(r"\d+\s*(Mo|MB)", text)


def test_readme_says_the_two_limits_agree():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Taille des envois") :]
    section = section[: section.index("\n## ")]
    for expected in ("`PHOTO_MAX_MB`", "`REQUEST_MAX_MB`", "client_max_body_size", "nginx -t"):
        assert expected in section, expected


# --- the real nginx ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _site_for_test(tmp_path: Path, http_port: int, https_port: int, app_port: int) -> str:
    site = (DEPLOY / "nginx.conf").read_text()
    for old, new in (
        ("/etc/letsencrypt/live/talentsmaroc.com/", f"{tmp_path}/"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("server 127.0.0.1:5004;", f"server 127.0.0.1:{app_port};"),
        (ERRORS_ROOT, str(PROJECT_ROOT / "talento" / "static" / "errors")),
        ("/opt/talento/talento/static/", f"{PROJECT_ROOT}/talento/static/"),
    ):
        assert old in site, old
        site = site.replace(old, new)
    return site


@pytest.fixture
def nginx(tmp_path, live_app_url):
    """nginx in the foreground (one process, no daemon) with the site file, TLS on a free
    port, proxying to the live app; yields the HTTPS port."""
    if not os.path.exists(NGINX):
        if os.environ.get("CI"):
            pytest.fail(f"nginx is required under CI ({NGINX})")
        pytest.skip(f"nginx is not installed ({NGINX})")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=talentsmaroc.com", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    http_port, https_port = _free_port(), _free_port()
    app_port = int(live_app_url.rsplit(":", 1)[1])
    (tmp_path / "talento.conf").write_text(
        _site_for_test(tmp_path, http_port, https_port, app_port)
    )
    temp = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "daemon off;\nmaster_process off;\n"
        "events {}\n"
        f"http {{\n    access_log off;\n{temp}\n    include {tmp_path}/talento.conf;\n}}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"nginx did not start: {process.stderr.read().decode()}"
                    ) from None
                time.sleep(0.05)
        yield https_port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def live_app_url(app):
    from tests.browser.support import serving

    with serving(app) as url:
        yield url


def _connection(port: int) -> http.client.HTTPSConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)


HEADERS = {"Host": "talentsmaroc.com"}


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{one}\r\n".encode()
            )
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.committed
def test_through_nginx_an_oversize_photo_comes_back_in_the_form_and_a_huge_request_gets_a_page(
    app, nginx
):
    from tests.helpers import _csrf_from
    from tests.profiles.test_registration import _form

    connection = _connection(nginx)
    connection.request("GET", "/auth/register", headers=HEADERS)
    response = connection.getresponse()
    page = response.read().decode()
    assert response.status == 200
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    fields = {**_form(app), "csrf_token": _csrf_from(page)}

    # 25 MB: over PHOTO_MAX_MB, under the cap: the app answers with the form.
    photo = b"\xff\xd8\xff\xe0" + os.urandom(25 * MB)
    body, content_type = _multipart(fields, {"photo": ("IMG_0001.jpg", photo)})
    assert len(body) < DEFAULT_REQUEST_MAX_MB * MB
    connection.request(
        "POST",
        "/auth/register",
        body=body,
        headers={**HEADERS, "Cookie": cookie, "Content-Type": content_type},
    )
    response = connection.getresponse()
    page = html.unescape(response.read().decode())
    assert response.status == 400
    assert "La photo dépasse 20 Mo" in page
    assert 'value="Yasmine"' in page
    assert "12 rue des Orangers" in page
    connection.close()

    # Over the cap: nginx refuses from the Content-Length alone, with the readable page.
    connection = _connection(nginx)
    connection.putrequest("POST", "/auth/register", skip_host=True)
    for name, value in {
        **HEADERS,
        "Cookie": cookie,
        "Content-Type": content_type,
        "Content-Length": str(DEFAULT_REQUEST_MAX_MB * MB + 1),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    page = response.read().decode()
    assert response.status == 413
    assert response.getheader("Content-Type").startswith("text/html")
    assert "Fichier trop volumineux" in page
    assert "bouton Retour" in page
    assert "<center>nginx</center>" not in page  # not nginx's bare page
    connection.close()
