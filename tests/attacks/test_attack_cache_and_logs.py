"""Nothing with personal data is cached or logged (issue 11, point 6).

Found from outside: ``/profile``, ``/profile/edit``, ``/admin/users``, the user edit and delete
pages, ``/admin/audit``, ``/admin/lost-data`` and the export form carried no ``Cache-Control``,
so a browser's disk cache (a shared computer, a cybercafé) or a proxy could keep them; and a
500 wrote the exception's message to the log file, with the SQL parameters (names, bio, e-mail,
ciphertexts) and PostgreSQL's DETAIL line quoting values.

Caching: a crawler signs in as a talent with a full profile and as an admin, follows every
same-site link and every GET route of the URL map it can fill with known ids, POSTs to every
POST route without a CSRF token (a 4xx behind the login), and checks that every answer but a
static file is ``private, no-store`` (talento/web/caching.py decides it, in one place). The
anonymous home page and forms are not needlessly ``no-store``, static files keep their caching.

Logs: a 500 provoked on purpose by a real database error whose parameters and message carry
personal data is logged with the exception class, the route and the incident id shown on the
page, and neither caplog nor the LOG_FILE (text or JSON) nor gunicorn's error log holds any of
the personal values.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import request, url_for
from PIL import Image
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url
from werkzeug.exceptions import HTTPException

from talento.accounts.models import User
from talento.accounts.reset import make_token
from talento.extensions import db
from talento.logging import SafeExceptions, setup_logging
from talento.profiles.models import SavedSearch, Skill, SkillCategory
from talento.profiles.uploads import store_cv, store_photo
from talento.settings import PROJECT_ROOT
from talento.web import build_app
from tests.helpers import _csrf_from, login, make_settings
from tests.outage_proxy import TcpProxy

NO_STORE = "private, no-store"
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)
TALENT_EMAIL = "yasmine.cache@example.org"
ADMIN_EMAIL = "admin.cache@example.org"
RECRUITER_EMAIL = "recruteur.cache@example.org"
TALENT_CODE = "MAF0001CAS"
OTHER_CODE = "MAM0002CAS"
#: URLs per endpoint (other rows, filters, sort orders, pages) the crawler visits.
PER_ENDPOINT = 4
MAX_REQUESTS = 400


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@dataclasses.dataclass(frozen=True)
class Samples:
    talent_id: int
    other_id: int
    photo_name: str
    other_photo: str
    cv_name: str
    other_cv: str
    skill_id: int
    category_id: int
    reset_token: str
    search_id: int


def _photo(upload_dir: Path) -> str:
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(image, "PNG")
    return store_photo(io.BytesIO(image.getvalue()), upload_dir).name


@pytest.fixture
def samples(app, make_user, make_talent) -> Samples:
    """A talent with a full profile (photo, CV, contact, links), another one, an admin."""
    upload_dir = Path(app.extensions["talento.settings"].upload_dir)
    photo, other_photo = _photo(upload_dir), _photo(upload_dir)
    cv, other_cv = (
        store_cv(io.BytesIO(PDF), upload_dir).name,
        store_cv(io.BytesIO(PDF), upload_dir).name,
    )
    talent = make_talent(
        code=TALENT_CODE,
        email=TALENT_EMAIL,
        first_name="Yasmine",
        last_name="Cachemire",
        phone="+212611112222",
        whatsapp="+212633334444",
        address="12 rue des Orangers",
        bio="Danseuse et comédienne",
        education="Conservatoire de Rabat",
        years_experience=6,
        rate_min=1500,
        links={"instagram": "https://instagram.com/yasmine-cache"},
        public_links="instagram",
        photo_name=photo,
        cv_name=cv,
    )
    other = make_talent(
        code=OTHER_CODE,
        email="omar.cache@example.org",
        gender="M",
        phone="+212655556666",
        photo_name=other_photo,
        cv_name=other_cv,
    )
    make_user(code="MAA0003CAS", email=ADMIN_EMAIL, capabilities=["admin"])
    recruiter = make_user(code="MAR0004CAS", email=RECRUITER_EMAIL, capabilities=["recruiter"])
    with app.app_context():
        search = SavedSearch(user_id=recruiter, name="Danseuses", query="skill=dancer")
        db.session.add(search)
        db.session.commit()
        skill = db.session.scalars(select(Skill).order_by(Skill.id)).first()
        category = db.session.scalars(select(SkillCategory).order_by(SkillCategory.id)).first()
        token = make_token(app.config["SECRET_KEY"], db.session.get(User, other))
        values = dict(
            skill_id=skill.id, category_id=category.id, reset_token=token, search_id=search.id
        )
        db.session.remove()
    return Samples(
        talent_id=talent,
        other_id=other,
        photo_name=photo,
        other_photo=other_photo,
        cv_name=cv,
        other_cv=other_cv,
        **values,
    )


# -- the crawler ----------------------------------------------------------------------------


class _Links(HTMLParser):
    """Same-document URLs a browser would request: links, images, scripts, styles, GET forms."""

    ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "get").lower() == "get":
            self.found.append(values.get("action") or "")
        elif tag in self.ATTRIBUTES and values.get(self.ATTRIBUTES[tag]):
            self.found.append(values[self.ATTRIBUTES[tag]])


def _same_site(base: str, link: str) -> str | None:
    if link.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(base, link))
    if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclasses.dataclass
class Seen:
    method: str
    url: str
    status: int
    endpoint: str | None
    cache_control: str | None
    expires: str | None


def _endpoint(app, method: str, url: str) -> str | None:
    parts = urlsplit(url)
    adapter = app.url_map.bind("localhost", query_args=parts.query)
    try:
        return adapter.match(parts.path, method=method)[0]
    except HTTPException:  # not found, method not allowed, a redirect to add a slash
        return None


def _seen(app, method: str, url: str, response) -> Seen:
    return Seen(
        method,
        url,
        response.status_code,
        _endpoint(app, method, url),
        response.headers.get("Cache-Control"),
        response.headers.get("Expires"),
    )


def _without_lang(url: str) -> str:
    """The language switch (``?lang=en``) repeats every page: one language is enough."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("lang="))
    return parts.path + (f"?{query}" if query else "")


def crawl(app, client, starts: list[str]) -> list[Seen]:
    """GET every same-site URL reachable from `starts` (redirects included), breadth first,
    at most PER_ENDPOINT URLs of one endpoint (its other rows, filters, sort orders)."""
    queue, done, per_endpoint, seen = deque(starts), set(), Counter(), []
    while queue and len(seen) < MAX_REQUESTS:
        url = _without_lang(queue.popleft())
        endpoint = _endpoint(app, "GET", url)
        if url in done or per_endpoint[endpoint] >= PER_ENDPOINT:
            continue
        done.add(url)
        per_endpoint[endpoint] += 1
        response = client.get(url)
        seen.append(_seen(app, "GET", url, response))
        if response.location:
            target = _same_site(url, response.location)
            if target:
                queue.append(target)
        if response.mimetype == "text/html":
            parser = _Links()
            parser.feed(response.get_data(as_text=True))
            queue.extend(t for t in (_same_site(url, link) for link in parser.found) if t)
    return seen


def _route_values(samples: Samples, endpoint: str, arguments: set[str]) -> dict:
    """Known ids for every argument a GET route takes; a new kind of argument fails the test
    (add a sample for it) rather than leaving the route unchecked."""
    known = {
        "code": TALENT_CODE,
        "user_id": samples.other_id,
        "skill_id": samples.skill_id,
        "category_id": samples.category_id,
        "token": samples.reset_token,
        "filename": "css/talento.css",
        "number": 1,  # a part of the sitemap
        "slug": "cookies",  # a legal page (admin editing)
        "search_id": samples.search_id,
        "photo_id": 1,  # a casting photo's buttons (POST only: refused without a token)
        "step": "identity",  # a casting registration step
        # Productions (issue 14): no such rows here; their 404 must be no-store too (the
        # badges and lists themselves: tests/projects/test_badges_pdf.py).
        "project_id": 1,
        "role_id": 1,
        "booking_id": 1,
        "company_id": 1,
        "entry_id": 1,
        "link_id": 1,
        # Attendance (issue 15): a working day, a talent of the project, a photo's name
        "day": "2027-03-15",
        "talent_id": samples.other_id,
    }
    if endpoint == "media.cv":
        known["name"] = samples.other_cv  # the admin reads it; for the talent: a 404
    else:
        known["name"] = samples.other_photo
    missing = arguments - set(known)
    assert not missing, f"{endpoint}: no sample value for {sorted(missing)}"
    return {name: known[name] for name in arguments}


def every_get_route(app, samples: Samples) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods:
                urls.append(
                    url_for(rule.endpoint, **_route_values(samples, rule.endpoint, rule.arguments))
                )
    return sorted(urls)


def every_post_without_token(app, client, samples: Samples) -> list[Seen]:
    """A POST without a CSRF token to every POST route: refused (4xx), nothing done."""
    seen = []
    with app.test_request_context():
        urls = [
            url_for(rule.endpoint, **_route_values(samples, rule.endpoint, rule.arguments))
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods
        ]
    for url in sorted(urls):
        response = client.post(url, data={})
        assert 400 <= response.status_code < 500, (url, response.status_code)
        seen.append(_seen(app, "POST", url, response))
    return seen


def cache_problems(seen: list[Seen]) -> list[str]:
    problems = []
    for item in seen:
        label = f"{item.method} {item.url} → {item.status} ({item.endpoint})"
        if item.endpoint == "static":
            if "no-store" in (item.cache_control or ""):
                problems.append(f"{label}: a static file made no-store ({item.cache_control})")
        elif item.cache_control != NO_STORE:
            problems.append(f"{label}: Cache-Control {item.cache_control!r}")
        elif item.expires is not None:
            problems.append(f"{label}: no-store with Expires {item.expires}")
    return problems


def _reached(seen: list[Seen], endpoints: set[str]) -> set[str]:
    """The endpoints of `endpoints` the crawl got a 2xx from (so the check was not vacuous)."""
    return endpoints - {s.endpoint for s in seen if 200 <= s.status < 300}


# -- caching: signed in ----------------------------------------------------------------------

#: Named in the issue (or personal by nature): the crawl must have reached each with a 2xx.
TALENT_PAGES = {
    "profiles.me",
    "profiles.edit",
    "profiles.my_data",
    "profiles.change_password",
    "profiles.delete",
    "public.card",
    "public.page",
    "media.cv",
    "media.photo",
    "two_factor.settings",
    "static",
}
ADMIN_PAGES = {
    "admin.dashboard",
    "admin.users",
    "admin.user_detail",
    "admin.user_edit",
    "admin.user_delete",
    "admin.user_new",
    "admin.audit",
    "admin.lost_data",
    "admin.export_users",
    "admin.catalogs",
    "admin.catalog_skill",
    "media.cv",
}
RECRUITER_PAGES = {"saved_searches.index", "directory.index", "profiles.me"}


@pytest.mark.parametrize(
    ("email", "start", "must_reach"),
    [
        pytest.param(TALENT_EMAIL, "/profile", TALENT_PAGES, id="talent"),
        pytest.param(ADMIN_EMAIL, "/admin", ADMIN_PAGES, id="admin"),
        pytest.param(RECRUITER_EMAIL, "/talents/saved", RECRUITER_PAGES, id="recruiter"),
    ],
)
def test_every_response_to_a_signed_in_session_is_private_no_store(
    app, samples, email, start, must_reach
):
    client = app.test_client()
    signed_in = login(client, email)
    assert signed_in.status_code == 302
    seen = [_seen(app, "POST", "/auth/login", signed_in)]  # the answer that sets the session

    seen += crawl(app, client, [start, *every_get_route(app, samples)])
    seen += every_post_without_token(app, client, samples)
    token = _csrf_from(client.get("/auth/forgot").get_data(as_text=True))
    if email == ADMIN_EMAIL:  # the export itself, names and phone numbers in it
        data = {"csrf_token": token, "format": "csv", "columns": ["code", "last_name"]}
        data.update(personal_columns=["phone"], include_personal="y")
        export = client.post("/admin/users/export", data=data)
        assert export.status_code == 200
        assert "+212611112222" in export.get_data(as_text=True)
        seen.append(_seen(app, "POST", "/admin/users/export", export))
    seen.append(
        _seen(app, "POST", "/auth/logout", client.post("/auth/logout", data={"csrf_token": token}))
    )

    assert len(seen) > 60, f"the crawl saw only {len(seen)} answers"
    assert not _reached(seen, must_reach), f"never reached: {_reached(seen, must_reach)}"
    assert {s.status // 100 for s in seen} >= {2, 3, 4}
    problems = cache_problems(seen)
    assert not problems, "\n".join(problems)


# -- caching: anonymous ----------------------------------------------------------------------


def test_public_pages_naming_nobody_are_not_needlessly_no_store(app, samples):
    """An answer that sets the session cookie (the first CSRF token, Flask-Login's first mark)
    is never shared; once the visitor's session is settled, the public forms and the legal
    pages carry no ``no-store`` (the back/forward cache keeps working)."""
    client = app.test_client()
    pages = ("/auth/register", "/auth/forgot", "/mentions-legales", "/confidentialite")
    for round_ in (1, 2):
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            sets_session = "talento_session=" in response.headers.get("Set-Cookie", "")
            no_store = "no-store" in (response.headers.get("Cache-Control") or "")
            assert no_store == sets_session, (round_, path, response.headers)
            if round_ == 2:
                assert not sets_session, path

    cities = client.get("/geo/cities?country=MA")
    assert cities.headers["Cache-Control"] == "public, max-age=86400"  # reference data

    static = client.get("/static/css/talento.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers["Cache-Control"]
    again = client.get("/static/css/talento.css", headers={"If-None-Match": static.headers["ETag"]})
    assert again.status_code == 304  # the browser keeps its copy and revalidates it


def test_public_answers_that_carry_a_person_are_no_store_for_anyone(app, samples):
    """Public profile pages, photos, QR codes, the directory and the home page (the newest
    talents) name a person: unpublishing or deactivation must take effect at once, so no cache
    keeps a copy. The reset form is reached through a token (a capability)."""
    client = app.test_client()
    urls = (
        f"/p/{TALENT_CODE}",
        f"/p/{TALENT_CODE}/qr.svg",
        f"/p/{TALENT_CODE}/qr.png?download=1",
        f"/media/photos/{samples.photo_name}",
        f"/media/photos/thumbs/{samples.photo_name}",
        "/",
        "/talents",
        "/talents?q=Yasmine",
        f"/auth/reset/{samples.reset_token}",
        "/p/MAF9999CAS",  # unknown: 404, still private
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert response.headers["Cache-Control"] == NO_STORE, url
        assert "Expires" not in response.headers, url


def test_no_view_sets_cache_control_itself():
    """One place decides (talento/web/caching.py): a view setting its own header would be
    overwritten, or worse, believed."""
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "talento").rglob("*.py")
        if path.name != "caching.py" and re.search(r"Cache-Control|cache_control", path.read_text())
    ]
    assert offenders == []


@pytest.mark.committed
def test_the_decision_needs_no_database(database_url, settings, make_talent):
    """During an outage the 503 page of a signed-in session is still private: the policy reads
    the session cookie, it never loads the user from the database that just failed."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the proxy cuts a PostgreSQL connection")
    make_talent(email=TALENT_EMAIL)
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    via = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = build_app(dataclasses.replace(settings, database_url=via))
    try:
        client = app.test_client()
        assert login(client, TALENT_EMAIL).status_code == 302
        proxy.cut()
        for path in ("/profile", "/profile/my-data.json", "/"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response.headers["Cache-Control"] == NO_STORE, path
    finally:
        proxy.restore()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        proxy.stop()


# -- logs ------------------------------------------------------------------------------------

NAME = "Zineb Fuitelog"
EMAIL = "zineb.fuitelog@example.org"
BIO = "Biographie confidentielle de Zineb"
PHONE = "+212644445555"
EXISTING_CODE = "MAF0042CAS"


@pytest.fixture(params=["text", "json"])
def logged_app(request, database_url, tmp_path, make_talent):
    """An app whose log goes to a real LOG_FILE (text or JSON), with test-only routes that fail
    on a real database error carrying personal data. Returns the app, the log file and every
    SQL parameter the app sent (the ciphertexts among them)."""
    make_talent(code=EXISTING_CODE)  # the test's own app first: it sets up logging too
    log_file = tmp_path / "talento.log"
    settings = make_settings(database_url, log_file=str(log_file), log_format=request.param)
    app = build_app(settings)
    parameters: list[str] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def keep(conn, cursor, statement, params, context, executemany):
        values = params.values() if isinstance(params, dict) else (params or ())
        parameters.extend(v for v in values if isinstance(v, str) and len(v) > 8)

    @app.get("/test-only/people/<name>/data-error")
    def data_error(name):
        # PostgreSQL's message quotes the value it could not read: "invalid input syntax…"
        db.session.execute(
            text("SELECT CAST(:name AS integer), :email, :bio"),
            {"name": name, "email": EMAIL, "bio": BIO},
        )
        return "unreachable"

    @app.get("/test-only/people/<name>/duplicate")
    def duplicate(name):
        # An INSERT of names, e-mail and ciphertexts (phone, address) that breaks a unique
        # constraint: DETAIL quotes the key, the parameters hold everything.
        existing = db.session.scalars(select(User).limit(1)).one()
        copy = User(
            code=existing.code,
            email=EMAIL,
            first_name=name,
            last_name=NAME,
            phone=PHONE,
            address=BIO,
            country_id=existing.country_id,
            city_id=existing.city_id,
        )
        db.session.add(copy)
        db.session.flush()
        return "unreachable"

    yield app, log_file, parameters
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    setup_logging(make_settings(database_url))  # detach the file handler


@pytest.mark.committed
@pytest.mark.parametrize("route", ["data-error", "duplicate"])
def test_a_500_logs_class_route_and_incident_never_personal_data(logged_app, caplog, route):
    app, log_file, parameters = logged_app
    caplog.set_level(logging.INFO)
    client = app.test_client()

    response = client.get(f"/test-only/people/{NAME}/{route}?email={EMAIL}")

    assert response.status_code == 500
    incident = re.search(
        r'<code id="incident">([0-9a-f]{12})</code>', response.get_data(as_text=True)
    )
    assert incident is not None
    rule = f"/test-only/people/<name>/{route}"
    kind = "sqlalchemy.exc.DataError" if route == "data-error" else "sqlalchemy.exc.IntegrityError"
    records = [r.getMessage() for r in caplog.records if incident.group(1) in r.getMessage()]
    assert len(records) == 1
    line = records[0]
    assert kind in line, line
    assert f"GET {rule}" in line, line
    assert "psycopg.errors." in line, line  # the driver's class
    assert "SQLSTATE" in line, line
    assert "Traceback (most recent call last):" in line
    assert f"in {route.replace('-', '_')}" in line  # the view's frame

    written = log_file.read_text(encoding="utf-8")
    if app.extensions["talento.settings"].log_format == "json":  # as read back, unescaped
        written += "\n".join(json.loads(line)["message"] for line in written.splitlines())
    assert incident.group(1) in written
    assert rule in written
    plain = {NAME, EMAIL, BIO, PHONE, "Zineb", "Fuitelog", EXISTING_CODE}
    if route == "duplicate":  # the INSERT sent ciphertexts (phone, address): they count too
        assert [p for p in parameters if p not in plain and len(p) > 40]
    for value in plain | set(parameters):
        assert value not in caplog.text, value
        assert value not in written, value


@pytest.mark.committed
def test_exceptions_logged_anywhere_lose_their_message(logged_app):
    """Any record with an exception, a library's or gunicorn's included, is written as frames
    and class names: the message of a database error quotes values."""
    app, log_file, _ = logged_app
    stream = io.StringIO()
    gunicorn_errors = logging.getLogger("gunicorn.error")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))  # gunicorn's own, not ours
    gunicorn_errors.addHandler(handler)
    assert any(isinstance(f, SafeExceptions) for f in gunicorn_errors.filters)
    try:
        try:
            raise ValueError(f"invalid literal for int() with base 10: {NAME!r}")
        except ValueError:
            logging.getLogger("sqlalchemy.pool").exception("a library's record")
            gunicorn_errors.exception("Error handling request")
    finally:
        gunicorn_errors.removeHandler(handler)
    for output in (log_file.read_text(encoding="utf-8"), stream.getvalue()):
        assert "builtins.ValueError" in output
        assert "raise ValueError" in output  # the frame's code line
        assert NAME not in output


def test_flask_own_exception_line_names_the_route_not_the_path(logged_app):
    """An error raised after the view (an after-request hook, an error handler that failed)
    reaches Flask's own "Exception on <path>" line: the path can hold a reset token or a name,
    so the line names the route pattern instead."""
    app, log_file, _ = logged_app
    secret_path_part = "reset-token-Xq9Zs3Lk"

    @app.get("/test-only/token/<token>")
    def echo(token):
        return "ok"

    @app.after_request
    def fail(response):
        if request.path.startswith("/test-only/token/"):
            raise RuntimeError(f"hook failed for {request.path}")
        return response

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get(f"/test-only/token/{secret_path_part}")
    assert response.status_code == 500
    output = log_file.read_text(encoding="utf-8")
    assert "/test-only/token/<token>" in output
    assert "builtins.RuntimeError" in output
    assert secret_path_part not in output
