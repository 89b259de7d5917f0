"""Hostile input never becomes a 500 (issue 11, point 1).

Found by fuzzing from outside: a NUL in names, bio, education, catalogue names, the login
identifier and ``/geo/cities?country=a%00b`` reached PostgreSQL (which refuses it in text) and
gave 500s; an id beyond PostgreSQL ``integer`` in a URL or a bulk selection did too. The fix is
one gate for every route (``talento.web.input_guard``) and one bounded id parser; these tests
replay each finding, then a property-based test (Hypothesis) posts hostile values to every form
the URL map exposes, and hostile query strings and path values to every page, and asserts that
nothing answers 5xx.

How the forms are found: every GET page of the URL map is fetched as a visitor, a talent and an
admin (with the sample rows of the authorization matrix), their ``<form method="post">`` are
parsed, and each form's action is matched back to the URL map. The set of POST endpoints covered
this way must equal the URL map's POST endpoints, less :data:`NOT_ON_ANY_PAGE` (forms that only
show in a state the crawl does not reach; they are fuzzed with the fields written there) — so a
new form is fuzzed by default, and a new POST route without a form on any page fails the test
until it is listed.

Each example starts from a submission the view accepts (the page's own values, blank ones
filled from :func:`good_values`) and makes up to three fields hostile, so the hostile value
reaches the service and the database rather than a "required" error; on top of the generated
examples come a NUL in each field alone, an over-long value in each free-text field alone, and
a few values in every field at once (:data:`SWEEP`).

Each generated request runs inside a SAVEPOINT rolled back afterwards, and the client starts
from the signed-in session cookie every time, so a fuzzed "delete my account", log-out or role
change does not change what the next example finds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as search_settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from talento.accounts import login_limits
from talento.accounts.models import User
from talento.extensions import db, limiter
from talento.profiles.search.query_args import MAX_ID
from tests.helpers import (
    USER_PASSWORD,
    _csrf_from,
    is_app_sql,
    login,
    make_settings,
    moroccan_city_id,
    registration_form,
)

# The authorization matrix declares, for every endpoint, who may open it and the sample values
# (a real talent code, user id, skill…) to build its URL with: the crawl below reuses them, so
# a route added to the app (and hence to the matrix) is crawled here too.
from tests.web.test_authorization_matrix import (  # noqa: F401  (samples: a fixture)
    ADMIN_ROLE,
    ANONYMOUS,
    RECRUITER_ROLE,
    RULES,
    USER,
    Samples,
    samples,
)

SESSION_COOKIE = "talento_session"
ROLES = (ANONYMOUS, USER, ADMIN_ROLE, RECRUITER_ROLE)
#: Pages a recruiter also opens, for the forms only recruiters see (saving, deleting searches).
RECRUITER_PAGES = frozenset({"directory.index", "saved_searches.index"})
NUL = "\x00"
HUGE_ID = "99999999999999999999999"
REFUSAL = "caractère non autorisé"
#: Examples per POST endpoint and per GET endpoint (bounded: the whole file stays short).
POST_EXAMPLES = 10
GET_EXAMPLES = 3

#: POST endpoints whose form the crawl cannot see, with why, the role that may post, and the
#: fields the form has. They are fuzzed all the same.
NOT_ON_ANY_PAGE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "attendance.sync": (
        "the scanner's offline queue posts its JSON batches from JavaScript (static/js/"
        "scanner.js); a form post is refused with a readable 400",
        ADMIN_ROLE,
        ("device_id", "scans"),
    ),
    "my_attendance.acknowledge_day": (
        "« Je confirme mes heures » shows only for a finished working day of the talent's own, "
        "which the crawl's talent has not had",
        USER,
        ("booking", "day"),
    ),
    "shortlists.add": (
        "the casting search shows « Ajouter à la shortlist » only when opened from a role "
        "(?role=<id>), which the crawl does not do",
        ADMIN_ROLE,
        ("talent", "add", "all", "q", "height_min", "sort"),
    ),
    "casting_me.create": (
        "« Créer mon profil casting » shows only to a talent without one (both samples have one)",
        USER,
        (),
    ),
    "auth.two_factor": (
        "the login's second step only shows after a password of a 2FA account was checked",
        ANONYMOUS,
        ("code",),
    ),
    "two_factor.disable": (
        "only shown to an account with two-factor on (the samples have none)",
        USER,
        ("password", "code"),
    ),
    "two_factor.regenerate": (
        "only shown to an account with two-factor on (the samples have none)",
        USER,
        ("password", "code"),
    ),
    "lost_data.reenter": (
        "only shown to someone whose data was lost in a key adoption",
        USER,
        ("phone", "whatsapp", "address", "link_website", "link_instagram"),
    ),
    "sign_in_link.request_link": (
        "the e-mailed link is only offered once an account's login ceiling is reached",
        ANONYMOUS,
        ("identifier",),
    ),
    "admin.lost_data_notify": (
        "the button only shows when someone's data was lost",
        ADMIN_ROLE,
        (),  # a button: the CSRF token is the whole form
    ),
    "presence.resend_verification": (
        "« Renvoyer le lien » only shows while the address is not verified (the samples' are)",
        USER,
        (),  # a button: the CSRF token is the whole form
    ),
    "admin.user_send_verification": (
        "the button only shows for an account whose address is not verified",
        ADMIN_ROLE,
        (),  # a button: the CSRF token is the whole form
    ),
    "admin.legal_page_restore": (
        "« restore the default » only shows once a legal page was edited",
        ADMIN_ROLE,
        (),  # a button
    ),
    "admin.cinema_card_verify": (
        "only shown for a casting profile with an artist card number (the sample has none)",
        ADMIN_ROLE,
        (),  # a button
    ),
    "admin.cinema_card_unverify": (
        "only shown for a casting profile whose artist card is verified",
        ADMIN_ROLE,
        (),  # a button
    ),
}
#: POST endpoints not fuzzed at all, with why (keep this short).
NOT_FUZZED: dict[str, str] = {}


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(
        database_url,
        upload_dir=str(tmp_path_factory.mktemp("uploads")),
        mail_outbox_dir=str(tmp_path_factory.mktemp("outbox")),
    )


# -- helpers ----------------------------------------------------------------------------------


def _signed_in(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302, f"cannot sign in as {email}"
    return client


def _token(client, page: str = "/auth/forgot") -> str:
    return _csrf_from(client.get(page).get_data(as_text=True))


def _no_5xx(response, what: str) -> None:
    assert response.status_code < 500, (
        f"{what} → {response.status_code}\n{response.get_data(as_text=True)[:1500]}"
    )


def _refused(response) -> None:
    """The gate's 400: a readable page saying what was wrong."""
    assert response.status_code == 400, response.get_data(as_text=True)[:1500]
    assert REFUSAL in response.get_data(as_text=True)


@contextmanager
def _sql_statements(app) -> Iterator[list[str]]:
    """The statements the app sends while the block runs (savepoints of the test aside)."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if is_app_sql(statement):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _registration(app, **overrides) -> dict:
    """A registration that succeeds as is (so a value that reaches the database does)."""
    extra = {"bio": "Comédienne.", "years_experience": "4", "education": "ISADAC"}
    return registration_form(moroccan_city_id(app), **{**extra, **overrides})


# -- the findings, one by one -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["first_name", "last_name", "bio", "education", "address"])
def test_nul_in_registration_is_refused_not_500(app, client, name):
    baseline = _registration(app)
    token = _token(client, "/auth/register")
    # The same submission without the NUL is accepted: the NUL is what is refused.
    hostile = {**baseline, name: f"Ya{NUL}smine", "csrf_token": token}
    _refused(client.post("/auth/register", data=hostile))
    with app.app_context():
        stored = select(User).where(User.email == baseline["email"])
        assert db.session.scalars(stored).first() is None
        db.session.remove()
    accepted = client.post("/auth/register", data={**baseline, "csrf_token": token})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:1500]


#: What the sample accounts leave blank and the profile forms require.
_REQUIRED = {"date_of_birth": "1995-05-05", "nationality": "MA", "phone": "06 12 34 56 78"}


def _form_values(html: str, action: str, page: str | None = None) -> dict[str, list[str]]:
    """The values a browser would send for the form posting to `action` on this page, with
    the required fields the sample accounts leave blank filled in."""
    forms = [f for f in parse_forms(html, page or action) if urlsplit(f.action).path == action]
    assert forms, f"no form posting to {action}"
    values = {name: list(f.defaults) for name, f in forms[0].fields.items() if f.defaults}
    for name, value in _REQUIRED.items():
        if name in values and not any(values[name]):
            values[name] = [value]
    return values


@pytest.mark.parametrize("name", ["first_name", "last_name", "bio", "education"])
def test_nul_in_profile_edit_is_refused_not_500(app, make_talent, name):
    make_talent(email="edit@example.org", bio="Comédien.", education="ISADAC")
    client = _signed_in(app, "edit@example.org")
    data = _form_values(client.get("/profile/edit").get_data(as_text=True), "/profile/edit")
    data[name] = [f"Ama{NUL}ina"]
    _refused(client.post("/profile/edit", data=data))
    data[name] = ["Amina"]  # the form as it was is saved: the page's values were a valid baseline
    assert client.post("/profile/edit", data=data).status_code == 302


@pytest.mark.parametrize("name", ["first_name", "last_name", "bio", "education"])
def test_nul_in_admin_user_edit_is_refused_not_500(app, samples, name):  # noqa: F811
    client = _signed_in(app, samples.emails[ADMIN_ROLE])
    url = f"/admin/users/{samples.other_id}/edit"
    data = _form_values(client.get(url).get_data(as_text=True), url)
    data[name] = [f"Ama{NUL}ina"]
    _refused(client.post(url, data=data))
    data[name] = ["Amina"]
    assert client.post(url, data=data).status_code == 302


def test_nul_in_catalogue_names_is_refused_not_500(app, samples):  # noqa: F811
    client = _signed_in(app, samples.emails[ADMIN_ROLE])
    skill_page = f"/admin/catalogs/skills/{samples.skill_id}"
    category_page = f"/admin/catalogs/categories/{samples.category_id}"
    for page, action, name, extra in (
        ("/admin/catalogs", "/admin/catalogs/categories", "category-name_fr", {}),
        (
            "/admin/catalogs",
            "/admin/catalogs/skills",
            "skill-name_fr",
            {"skill-category": [str(samples.category_id)]},
        ),
        (skill_page, f"{skill_page}/rename", "rename-name_fr", {}),
        (category_page, f"{category_page}/rename", "rename-name_en", {}),
    ):
        data = {**_form_values(client.get(page).get_data(as_text=True), action, page), **extra}
        data[name] = [f"Claq{NUL}uettes"]
        _refused(client.post(action, data=data))
        data[name] = [f"Claquettes {len(action)}"]  # without the NUL the form is accepted
        assert client.post(action, data=data).status_code == 302, (action, data)


def test_nul_in_login_identifier_is_refused_not_500(app, client, make_user):
    make_user(email="amina@example.org")
    token = _token(client, "/auth/login")
    for identifier in (f"amina{NUL}@example.org", NUL, f"MAF0001CAS{NUL}"):
        response = client.post(
            "/auth/login",
            data={"identifier": identifier, "password": "x" * 12, "csrf_token": token},
        )
        _refused(response)


def test_nul_in_a_query_string_is_refused_not_500(client):
    _refused(client.get("/geo/cities?country=a%00b"))
    _refused(client.get("/talents?q=Am%00ina"))
    _refused(client.get("/talents?sk%00ill=actor"))  # in a name, too
    assert client.get("/geo/cities?country=MA").status_code == 200


def test_nul_in_a_path_is_refused_not_500(client):
    _refused(client.get("/p/MAF%00001CAS"))


def test_ids_beyond_postgresql_integer_are_not_found(app, samples):  # noqa: F811
    client = _signed_in(app, samples.emails[ADMIN_ROLE])
    for path in (
        f"/admin/users/{HUGE_ID}",
        f"/admin/users/{HUGE_ID}/edit",
        f"/admin/users/{MAX_ID + 1}",
        f"/admin/catalogs/skills/{HUGE_ID}",
        f"/admin/catalogs/categories/{2**63}",
        "/admin/users/١٢",  # Arabic-Indic digits: int() reads them, the route does not
        "/admin/users/" + "9" * 5000,  # beyond int()'s digit limit
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/admin/users/{MAX_ID}").status_code == 404  # in range: no such row
    assert client.get(f"/admin/users/{samples.other_id}").status_code == 200


def test_bulk_action_with_an_out_of_range_id_is_refused(app, samples):  # noqa: F811
    client = _signed_in(app, samples.emails[ADMIN_ROLE])
    token = _token(client, "/admin/users")
    for bad in (HUGE_ID, str(MAX_ID + 1), "²", "١", "-1", "0", "1 OR 1=1"):
        response = client.post(
            "/admin/users/bulk",
            data={"csrf_token": token, "action": "deactivate", "ids": [str(samples.other_id), bad]},
        )
        assert response.status_code == 400, bad
    with app.app_context():
        assert db.session.get(User, samples.other_id).is_active_account  # nothing was done
        db.session.remove()
    confirm = client.post(
        "/admin/users/bulk",
        data={"csrf_token": token, "action": "deactivate", "ids": [str(samples.other_id)]},
    )
    assert confirm.status_code == 200  # the confirmation page: real ids still work


def test_catalogue_choice_beyond_integer_is_a_form_error(app, samples):  # noqa: F811
    client = _signed_in(app, samples.emails[ADMIN_ROLE])
    page = client.get("/admin/catalogs").get_data(as_text=True)
    data = _form_values(page, "/admin/catalogs/skills", "/admin/catalogs")
    data |= {"skill-name_fr": ["Claquettes"], "skill-category": [HUGE_ID]}
    response = client.post("/admin/catalogs/skills", data=data)
    assert response.status_code == 400
    assert "Choisissez une catégorie de la liste." in response.get_data(as_text=True)


def test_the_refusal_page_needs_no_database_even_signed_in(app, make_talent):
    make_talent(email="signed@example.org")
    client = _signed_in(app, "signed@example.org")
    token = _token(client, "/profile/edit")
    with _sql_statements(app) as statements:
        page = client.get("/profile?x=%00")
        posted = client.post("/profile/edit", data={"csrf_token": token, "bio": NUL})
    _refused(page)
    _refused(posted)
    assert statements == [], "the refusal read the database"
    assert client.get("/profile").status_code == 200  # still signed in


def test_the_refusal_page_follows_the_language(client):
    """The page is rendered in the visitor's language like the other error pages (its new
    sentence shows in French until the English catalogue has it)."""
    response = client.get("/talents?lang=en&q=%00")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Bad request" in html


def test_invalid_utf8_in_query_and_form_is_not_500(app, client, make_user):
    make_user(email="amina@example.org")
    for path in ("/talents?q=%FF%FE", "/geo/cities?country=%C3%28", "/p/%ED%A0%80"):
        _no_5xx(client.get(path), path)
    token = _token(client, "/auth/login")
    body = f"csrf_token={token}&identifier=%FF%ED%A0%80&password=%F4%90%80%80".encode()
    response = client.post(
        "/auth/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 401, 422), response.status_code


def test_json_bodies_with_unstorable_text_are_refused(client):
    for body in (
        '{"name": "a\\u0000b"}',
        '{"a\\u0000": 1}',  # in a key
        '{"deep": [[{"x": ["\\ud800"]}]]}',  # a lone surrogate, nested
    ):
        _refused(client.post("/auth/login", data=body, content_type="application/json"))
    deep = client.post("/auth/login", data="[" * 200_000, content_type="application/json")
    assert deep.status_code == 400
    fine = client.post("/auth/login", data='{"name": "Amina"}', content_type="application/json")
    _no_5xx(fine, "plain JSON")


def test_upload_file_names_with_nul_are_refused(app, client):
    token = _token(client, "/auth/register")
    data = {
        **_registration(app),
        "csrf_token": token,
        "cv": (BytesIO(b"%PDF-1.4\n%%EOF\n"), f"cv{NUL}.pdf"),
    }
    _refused(client.post("/auth/register", data=data, content_type="multipart/form-data"))


# -- crawling the forms -----------------------------------------------------------------------


@dataclass
class Field:
    defaults: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """The POST forms of a page: each field's name, the values a browser would send as the page
    stands, and the other values offered (options, checkboxes, radio buttons)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool, list[str]] | None = None  # name, multiple, options
        self._textarea: str | None = None

    def _field(self, name: str) -> Field:
        assert self._form is not None
        return self._form.fields.setdefault(name, Field())

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(action=a.get("action") or self.page)
            return
        if self._form is None:
            return
        if tag == "option" and self._select is not None:
            name, _multiple, options = self._select
            options.append(a.get("value", ""))
            if "selected" in a:
                self._field(name).defaults.append(a.get("value", ""))
            return
        name = a.get("name")
        if not name:
            return
        kind = a.get("type", "text").lower()
        if tag == "input" and kind in ("checkbox", "radio"):
            value = a.get("value", "on")
            self._field(name).options.append(value)
            if "checked" in a:
                self._field(name).defaults.append(value)
        elif tag == "input" and kind in ("submit", "button"):
            self._field(name).options.append(a.get("value", ""))
        elif tag == "input" and kind not in ("file", "image", "reset"):
            self._field(name).defaults.append(a.get("value", ""))
        elif tag == "button" and kind == "submit":
            self._field(name).options.append(a.get("value", ""))
        elif tag == "select":
            self._select = (name, "multiple" in a, [])
            self._field(name)
        elif tag == "textarea":
            self._textarea = name
            self._field(name).defaults.append("")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            box = self._form.fields[self._textarea]
            if not box.defaults[-1]:  # a browser drops the newline that opens a textarea
                data = data.removeprefix("\r").removeprefix("\n")
            box.defaults[-1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple, options = self._select
            box = self._field(name)
            box.options += options
            if not box.defaults and not multiple and options:
                box.defaults.append(options[0])  # what a browser sends with nothing selected
            self._select = None


def parse_forms(html: str, page: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


@dataclass
class Target:
    """One POST endpoint to fuzz: the URL, who posts, the form's fields."""

    endpoint: str
    url: str
    role: str
    fields: dict[str, Field]
    #: What each field holds in a submission the view accepts, as far as the crawl can tell.
    baseline: dict[str, list[str]] = field(default_factory=dict)


def _endpoint_of(app, url: str, method: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _values = adapter.match(urlsplit(url).path, method=method)
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return None
    return endpoint


def _url(app, endpoint: str, samples: Samples) -> str:  # noqa: F811
    from flask import url_for

    rule = RULES[endpoint]
    with app.test_request_context():
        return url_for(endpoint, **rule.values(samples))


def _rules(app, method: str) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if method in rule.methods and rule.endpoint != "static"
    }


def _preferred_role(endpoint: str) -> tuple[str, ...]:
    """Who opens a GET page to find its forms: everyone, admin pages as the admin only, and
    the recruiter only the pages with recruiters' forms."""
    if endpoint.startswith("admin."):
        return (ADMIN_ROLE,)
    if endpoint in RECRUITER_PAGES:
        return (ANONYMOUS, USER, ADMIN_ROLE, RECRUITER_ROLE)
    return (ANONYMOUS, USER, ADMIN_ROLE)


def crawl_forms(app, clients: dict, samples: Samples) -> dict[str, Target]:  # noqa: F811
    """endpoint → the first form found that posts to it (by role order), over every GET page."""
    found: dict[str, Target] = {}
    for role in ROLES:
        for endpoint in sorted(_rules(app, "GET")):
            if role not in _preferred_role(endpoint):
                continue
            page = _url(app, endpoint, samples)
            response = clients[role].get(page)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            for form in parse_forms(response.get_data(as_text=True), page):
                target = _endpoint_of(app, form.action, "POST")
                if target and target not in found:
                    found[target] = Target(target, form.action, role, form.fields)
    return found


# -- hostile values ---------------------------------------------------------------------------

#: Strings chosen to break something: characters PostgreSQL refuses, numbers beyond its integer
#: types, text beyond column lengths, bidi controls, SQL, HTML, template and format syntax.
NASTY: tuple[str, ...] = (
    NUL,
    f"Amina{NUL}",
    "\ud800",
    f"x\udfff{NUL}y",
    "\u202eevil\u202c",
    "\u200f\u200e\u2066\u2069",
    "\ufeff",
    "\uffff\ufffe",
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% raw %}",
    "%(name)s %s %d",
    "../../../etc/passwd",
    "\r\nSet-Cookie: x=1",
    HUGE_ID,
    str(MAX_ID + 1),
    str(2**63),
    "-1",
    "0",
    "1e309",
    "NaN",
    "١٢٣",
    "²",
    "9" * 5000,
    "😀" * 20,
    "é" * 300,
    "A" * 5000,
    "x" * 70_000,
    " ",
    "\t\n\x0b\x0c",
    "\\",
    "null",
    "[]",
    "{}",
    "%00",
    "2026-02-30",
    "9999-12-31",
    "+212 6 12 34 56 78 90 12",
    "a@b",
    "http://",
    "javascript:alert(1)",
)
#: Raw bytes that are not UTF-8 (werkzeug decodes them as U+FFFD), sent percent-encoded.
RAW: tuple[bytes, ...] = (b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"a\x00b")

_any_char = st.characters(codec=None, exclude_categories=())
hostile = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(RAW),
    st.text(_any_char, max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=100, max_value=20_000).map(lambda n: "ê" * n),
)
Value = str | bytes


def _encode(value: Value) -> str:
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote(raw, safe="")


def urlencoded(pairs: list[tuple[Value, Value]]) -> bytes:
    """A form body that can hold what a browser never sends: surrogates, invalid UTF-8."""
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs).encode("ascii")


def _as_text(value: Value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _field_values(box: Field) -> st.SearchStrategy[list[Value]]:
    """What to send for one field: as the page stands, another offered value, or hostile."""
    choices: list[st.SearchStrategy[list[Value]]] = [st.just(list(box.defaults))]
    if box.options:
        choices.append(st.lists(st.sampled_from(box.options), max_size=3))
    choices += [
        hostile.map(lambda v: [v]),
        st.lists(hostile, min_size=2, max_size=3),
    ]
    return st.one_of(choices)


def good_values(app, samples: Samples) -> dict[str, str]:  # noqa: F811
    """Values that make the forms' usual fields valid, by field name (without the form's
    prefix): a blank registration page is not a submission that reaches the database."""
    return {
        "first_name": "Amina",
        "last_name": "Benali",
        "email": "fuzz@example.org",
        "identifier": samples.emails[USER],
        "date_of_birth": "1995-05-05",
        "nationality": "MA",
        "country": "MA",
        "city": str(moroccan_city_id(app)),
        "phone": "06 12 34 56 78",
        "address": "12 rue des Orangers, Casablanca",
        "password": USER_PASSWORD,
        "password_confirm": USER_PASSWORD,
        "current_password": USER_PASSWORD,
        "new_password": "Casablanca-Scene-2026",
        "new_password_confirm": "Casablanca-Scene-2026",
        "name_fr": "Claquettes",
        "code": "123456",
    }


def baseline_of(fields: dict[str, Field], good: dict[str, str]) -> dict[str, list[str]]:
    """Each field as the page has it, a blank one filled from `good` or with the first real
    choice offered (a category, a checkbox to confirm, an action)."""
    values: dict[str, list[str]] = {}
    for name, box in fields.items():
        bare = name.rpartition("-")[2]
        if any(box.defaults) or name.endswith("csrf_token"):
            values[name] = list(box.defaults)
        elif bare in good:
            values[name] = [good[bare]]
        elif real := [option for option in box.options if option]:
            values[name] = real[:1]
        else:
            values[name] = list(box.defaults)
    return values


@st.composite
def submissions(draw, target: Target) -> tuple[str, list[tuple[Value, Value]]]:
    """(transport, pairs): the baseline with up to three fields made hostile, sometimes a field
    no form has, as a form body or (less often) the same pairs as JSON; CSRF tokens kept."""
    names = [name for name in target.fields if not name.endswith("csrf_token")]
    changed = draw(st.sets(st.sampled_from(names), max_size=3)) if names else set()
    pairs: list[tuple[Value, Value]] = []
    for name, box in target.fields.items():
        values = draw(_field_values(box)) if name in changed else target.baseline[name]
        pairs += [(name, value) for value in values]
    if draw(st.booleans()):
        pairs.append((draw(hostile), draw(hostile)))
    transport = draw(st.sampled_from(("form", "form", "form", "json")))
    return transport, pairs


def _with(target: Target, name: str | None, value: Value) -> list[tuple[Value, Value]]:
    """The baseline with `value` in field `name` (every field but the CSRF tokens if None)."""
    pairs: list[tuple[Value, Value]] = []
    for field_name, values in target.baseline.items():
        if field_name.endswith("csrf_token") or name not in (None, field_name):
            pairs += [(field_name, v) for v in values]
        else:
            pairs.append((field_name, value))
    return pairs


COMMON_ARGS = ("page", "per_page", "q", "lang", "next", "country", "skill", "sort", "back", "id")


@st.composite
def query_strings(draw, names: tuple[str, ...]) -> list[tuple[Value, Value]]:
    chosen = draw(st.lists(st.sampled_from(names), max_size=4))
    pairs: list[tuple[Value, Value]] = [(name, draw(hostile)) for name in chosen]
    if draw(st.booleans()):
        pairs.append((draw(hostile), draw(hostile)))
    return pairs


_ARG = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")


@st.composite
def paths(draw, rule_string: str, url: str) -> str:
    """The page's own URL, or its rule with hostile values in place of the variables."""
    if not _ARG.search(rule_string) or draw(st.booleans()):
        return urlsplit(url).path
    return _ARG.sub(lambda m: _encode(draw(hostile))[:2000] or "x", rule_string)


# -- running generated requests ---------------------------------------------------------------


FUZZ_SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Sandbox:
    """Each request from the role's signed-in session, its writes rolled back afterwards."""

    def __init__(self, app, clients: dict):
        self.app = app
        self.cookies = {
            role: (client.get_cookie(SESSION_COOKIE) or None) for role, client in clients.items()
        }
        with app.app_context():
            self.connection = db.engines[None]  # the test's connection (tests/conftest.py)
        self.sent = 0

    def client(self, role: str):
        client = self.app.test_client()
        cookie = self.cookies[role]
        if cookie is not None:
            client.set_cookie(SESSION_COOKIE, cookie.value)
        return client

    def send(self, role: str, method: str, url: str, **kwargs):
        # Each request from an address of its own: the per-address limits (registrations, reset
        # requests) would otherwise turn the later examples into 429s that test nothing.
        self.sent += 1
        address = f"10.{self.sent >> 16 & 255}.{self.sent >> 8 & 255}.{self.sent & 255}"
        savepoint = self.connection.begin_nested()
        try:
            return self.client(role).open(
                url, method=method, environ_base={"REMOTE_ADDR": address}, **kwargs
            )
        finally:
            savepoint.rollback()


def _post(sandbox: Sandbox, target: Target, transport: str, pairs):
    if transport == "json":
        document: dict[str, list[str]] = {}
        for key, value in pairs:
            document.setdefault(_as_text(key), []).append(_as_text(value))
        body = json.dumps(document).encode()
        return sandbox.send(
            target.role, "POST", target.url, data=body, content_type="application/json"
        )
    return sandbox.send(
        target.role,
        "POST",
        target.url,
        data=urlencoded(pairs),
        content_type="application/x-www-form-urlencoded",
    )


#: Sent on top of the generated examples: each of these in every field at once...
SWEEP: tuple[Value, ...] = (NUL, "\ud800", HUGE_ID, b"\xff")
#: ...a NUL in each field of the baseline alone (the findings)...
ONE_NUL = f"Amina{NUL}"
#: ...and, in each free-text field alone, more than any column holds.
TOO_LONG = "x" * 5000


def _post_check(sandbox: Sandbox, target: Target, reached: set[str]):
    """The search, and the submissions always sent on top of what it generates."""

    @given(submissions(target))
    def check(submission) -> None:
        transport, pairs = submission
        response = _post(sandbox, target, transport, pairs)
        if not (response.status_code == 400 and "Requête invalide" in response.text):
            reached.add(target.endpoint)  # got past the gates and CSRF, into the view
        _no_5xx(response, f"{target.role} POST {target.url} ({transport}) {pairs!r:.500}")

    explicit = [(("form", _with(target, None, value)),) for value in SWEEP]
    for name, box in target.fields.items():
        if not name.endswith("csrf_token"):
            explicit.append((("form", _with(target, name, ONE_NUL)),))
            if not box.options:
                explicit.append((("form", _with(target, name, TOO_LONG)),))
    return check, explicit


def _get_check(sandbox: Sandbox, role: str, rule: str, url: str, names: tuple[str, ...]):
    """The search, and the (path, query) pairs always sent on top of what it generates."""

    @given(paths(rule, url), query_strings(names))
    def check(path, pairs) -> None:
        full = f"{path}?{urlencoded(pairs).decode()}" if pairs else path
        _no_5xx(sandbox.send(role, "GET", full), f"{role} GET {full[:300]}")

    explicit = [
        (urlsplit(url).path, [(name, value) for name in names])
        for value in (f"a{NUL}b", HUGE_ID, TOO_LONG, b"\xff")
    ]
    if _ARG.search(rule):
        for value in (f"a{NUL}b", HUGE_ID):
            explicit.append((_ARG.sub(lambda _m, v=value: _encode(v), rule), []))
    return check, explicit


def _fuzz(check, examples: int, explicit=()) -> str | None:
    """Send the explicit examples, then run one Hypothesis search; the first failure (the
    search's shrunk), or None. The explicit ones go straight to the check's body rather than
    through @example: Hypothesis pretty-prints every explicit example (a few hundred
    fields' worth of repr each, ~15 % of the fuzz's time) for a report shown on failure only,
    and the check's own assertion message already says what was sent."""
    try:
        for arguments in reversed(explicit):  # @example's order: the last one added first
            check.hypothesis.inner_test(*arguments)
        search_settings(max_examples=examples, **FUZZ_SETTINGS)(check)()
    except Exception as failure:  # noqa: BLE001 - an error the error page itself did not survive
        return f"{type(failure).__name__}: {failure}"[:3000]
    return None


@pytest.fixture
def clients(app, samples):  # noqa: F811
    made = {ANONYMOUS: app.test_client()}
    made[USER] = _signed_in(app, samples.emails[USER])
    made[ADMIN_ROLE] = _signed_in(app, samples.emails[ADMIN_ROLE])
    made[RECRUITER_ROLE] = _signed_in(app, samples.emails[RECRUITER_ROLE])
    return made


def _targets(app, clients, samples, crawled=None) -> dict[str, Target]:  # noqa: F811
    """The crawled forms, and those of NOT_ON_ANY_PAGE, each with its baseline."""
    targets = dict(crawled if crawled is not None else crawl_forms(app, clients, samples))
    for endpoint, (_why, role, names) in NOT_ON_ANY_PAGE.items():
        if endpoint not in targets:
            token = _token(clients[role])
            fields = {name: Field() for name in names}
            fields["csrf_token"] = Field([token])
            targets[endpoint] = Target(endpoint, _url(app, endpoint, samples), role, fields)
    good = good_values(app, samples)
    for target in targets.values():
        target.baseline = baseline_of(target.fields, good)
    return targets


def test_every_post_form_is_found_or_listed(app, clients, samples):  # noqa: F811
    """The fuzz below covers every POST endpoint of the URL map: found on a page, or listed in
    NOT_ON_ANY_PAGE with a reason; a listed one that a page now shows must be unlisted."""
    crawled = crawl_forms(app, clients, samples)
    post_rules = _rules(app, "POST") - set(NOT_FUZZED)
    missing = sorted(post_rules - set(crawled) - set(NOT_ON_ANY_PAGE))
    assert not missing, f"POST endpoints with no form on any page and no entry: {missing}"
    stale = sorted(set(NOT_ON_ANY_PAGE) & set(crawled))
    assert not stale, f"listed in NOT_ON_ANY_PAGE but found on a page: {stale}"
    gone = sorted((set(NOT_ON_ANY_PAGE) | set(NOT_FUZZED)) - _rules(app, "POST"))
    assert not gone, f"listed endpoints the URL map no longer has: {gone}"
    assert set(_targets(app, clients, samples, crawled)) == post_rules


def test_hostile_values_in_every_post_form_never_give_5xx(app, clients, samples):  # noqa: F811
    targets = _targets(app, clients, samples)
    assert set(targets) == _rules(app, "POST") - set(NOT_FUZZED)
    sandbox = Sandbox(app, clients)
    failures: list[str] = []
    reached: set[str] = set()
    for endpoint, target in sorted(targets.items()):
        with app.app_context():
            limiter.reset()
        # Per-account limits (reset requests or registrations for one e-mail) start afresh.
        limits = app.extensions[login_limits.EXTENSION]
        app.extensions[login_limits.EXTENSION] = replace(limits, store=login_limits.MemoryStore())
        check, explicit = _post_check(sandbox, target, reached)
        failure = _fuzz(check, POST_EXAMPLES, explicit)
        if failure:
            failures.append(f"{endpoint}: {failure}")
    assert not failures, "\n\n".join(failures)
    # The unchanged form got past CSRF into the view: the fuzz reached the code it aims at.
    assert reached >= set(targets) - set(NOT_ON_ANY_PAGE), sorted(set(targets) - reached)


def test_hostile_query_strings_and_paths_never_give_5xx(app, clients, samples):  # noqa: F811
    failures: list[str] = []
    sandbox = Sandbox(app, clients)
    rules = {r.endpoint: r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    for endpoint in sorted(_rules(app, "GET")):
        url = _url(app, endpoint, samples)
        expect = RULES[endpoint].access.get
        role = next((r for r in ROLES if expect[r].status == 200), USER)
        page = clients[role].get(url)
        names = COMMON_ARGS
        if page.status_code == 200 and "html" in page.content_type:
            names += tuple(re.findall(r'name="([^"]+)"', page.get_data(as_text=True)))
        names = tuple(dict.fromkeys(names))

        check, explicit = _get_check(sandbox, role, rules[endpoint], url, names)
        failure = _fuzz(check, GET_EXAMPLES, explicit)
        if failure:
            failures.append(f"{endpoint}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_the_fuzz_would_see_a_500(app):
    """The safety net itself: a form whose view fails on some values is reported."""
    from flask import request

    def fragile():
        return str(1 // len(request.form.get("n", "")))  # ZeroDivisionError on an empty value

    app.add_url_rule("/fuzz-self-test", "fuzz_self_test", fragile, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    sandbox = Sandbox(app, {ANONYMOUS: app.test_client()})
    target = Target("fuzz_self_test", "/fuzz-self-test", ANONYMOUS, {"n": Field(["1"])})
    target.baseline = {"n": ["1"]}

    @given(submissions(target))
    def check(submission):
        _no_5xx(_post(sandbox, target, *submission), "self-test")

    failure = _fuzz(check, POST_EXAMPLES)
    assert failure is not None
    assert "→ 500" in failure
