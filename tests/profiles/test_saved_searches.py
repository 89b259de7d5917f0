"""The recruiter's directory: the availability filter (recruiters and admins only) and saved
searches (« Mes recherches »: save, list, run, delete, at most 50), through the real routes."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import func, insert, select, text

from talento.accounts.models import AccountCapability, User
from talento.extensions import db, utcnow
from talento.profiles.models import SavedSearch, TalentProfile
from talento.profiles.search.directory import (
    COUNT_CAP,
    DirectoryFilters,
    ListedPlaces,
    filtered_select,
    search_directory,
)
from talento.profiles.search.saved import (
    MAX_SAVED,
    SavedSearchInput,
    filters_of,
    list_searches,
    save_search,
)
from talento.profiles.services import delete_account
from tests.helpers import _csrf_from, login

RECRUITER = "recrutement@example.org"


@pytest.fixture
def talents(make_talent):
    """Two listed talents: one available soon, one at once."""
    return {
        "soon": make_talent(code="MAF0001CAS", first_name="Salma", availability="soon"),
        "now": make_talent(code="MAF0002CAS", first_name="Nadia", availability="immediate"),
    }


@pytest.fixture
def recruiter_id(make_user):
    return make_user(code="MAR0009CAS", email=RECRUITER, capabilities=["recruiter"])


@pytest.fixture
def recruiter(client, recruiter_id):
    assert login(client, RECRUITER).status_code == 302
    return client


def _codes(page: str) -> list[str]:
    return re.findall(r'<p class="code">([A-Z0-9]{10})</p>', page)


def _saved(app, user_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(SavedSearch.name, SavedSearch.query)
            .where(SavedSearch.user_id == user_id)
            .order_by(SavedSearch.id)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def _save(client, name: str, query: str):
    page = client.get("/talents?" + query).get_data(as_text=True)
    return client.post(
        "/talents/saved", data={"csrf_token": _csrf_from(page), "name": name, "query": query}
    )


# -- the availability filter -------------------------------------------------------------------


@pytest.mark.parametrize("capabilities", [None, ["talent"], ["presence"]])
def test_others_neither_see_nor_use_the_availability_filter(
    client, make_user, talents, capabilities
):
    if capabilities is not None:
        make_user(email="someone@example.org", capabilities=capabilities)
        assert login(client, "someone@example.org").status_code == 302
    page = client.get("/talents?availability=soon").get_data(as_text=True)
    assert 'name="availability"' not in page
    assert sorted(_codes(page)) == ["MAF0001CAS", "MAF0002CAS"]  # the argument is ignored
    assert "Enregistrer cette recherche" not in page
    assert "Mes recherches" not in page


@pytest.mark.parametrize("capabilities", [["recruiter"], ["admin"], ["talent", "recruiter"]])
def test_recruiters_and_admins_filter_by_availability(client, make_user, talents, capabilities):
    make_user(email="pro@example.org", code="MAF0042CAS", capabilities=capabilities)
    assert login(client, "pro@example.org").status_code == 302
    page = client.get("/talents?availability=soon").get_data(as_text=True)
    assert re.search(r'<select id="availability" name="availability">', page)
    assert re.search(r'<option value="soon" selected>', page)
    assert _codes(page) == ["MAF0001CAS"]
    saves = "recruiter" in capabilities  # saved searches are the recruiters' only
    assert ("Enregistrer cette recherche" in page) is saves
    assert ('href="/talents/saved"' in page) is saves  # the header's « Mes recherches »


# -- saving, listing, running, deleting --------------------------------------------------------


def test_a_recruiter_saves_runs_and_deletes_a_search(app, recruiter, recruiter_id, talents):
    query = "q=Sal&skill=actor&country=MA&availability=soon&sort=name&page=3"
    page = recruiter.get("/talents?" + query).get_data(as_text=True)
    hidden = re.search(r'<input id="query" name="query" type="hidden" value="([^"]*)"', page)
    assert hidden, "the save form carries the search on screen"
    carried = html.unescape(hidden.group(1))
    assert carried == "q=Sal&skill=actor&country=MA&availability=soon&sort=name"  # no page

    response = recruiter.post(
        "/talents/saved",
        data={"csrf_token": _csrf_from(page), "name": "  Comédiennes   dispo ", "query": carried},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/talents?" + carried
    assert _saved(app, recruiter_id) == [("Comédiennes dispo", carried)]
    assert "Recherche « Comédiennes dispo » enregistrée." in recruiter.get(
        response.headers["Location"]
    ).get_data(as_text=True)

    mine = recruiter.get("/talents/saved").get_data(as_text=True)
    assert "1 recherche enregistrée sur 50 possibles." in mine
    for shown in ("Comédiennes dispo", "<dd>Sal</dd>", "<dd>Maroc</dd>", "<dd>Prochainement</dd>"):
        assert shown in mine, shown
    run = re.search(r'<a class="button" href="([^"]+)">Lancer la recherche</a>', mine).group(1)
    assert _codes(recruiter.get(html.unescape(run)).get_data(as_text=True)) == ["MAF0001CAS"]

    [search_id] = [i for i in map(int, re.findall(r"/talents/saved/(\d+)/delete", mine))]
    response = recruiter.post(
        f"/talents/saved/{search_id}/delete", data={"csrf_token": _csrf_from(mine)}
    )
    assert response.status_code == 302
    assert _saved(app, recruiter_id) == []
    assert "Aucune recherche enregistrée." in recruiter.get("/talents/saved").get_data(True)


def test_names_are_required_and_unique_per_account(app, recruiter, recruiter_id, make_user):
    assert _save(recruiter, "Danseurs", "skill=dancer").status_code == 302
    for name, message in (
        ("   ", "Donnez un nom à cette recherche."),
        ("DANSEURS", "Vous avez déjà une recherche de ce nom"),
    ):
        response = _save(recruiter, name, "country=MA")
        assert response.status_code == 303
        assert response.headers["Location"] == "/talents?country=MA"  # back to the search
        assert message in recruiter.get("/talents").get_data(as_text=True)
    assert _saved(app, recruiter_id) == [("Danseurs", "skill=dancer")]
    # Another recruiter may use the same name.
    other = make_user(email="autre@example.org", capabilities=["recruiter"])
    with app.app_context():
        save_search(db.session, other, SavedSearchInput("Danseurs", "skill=dancer"))
        db.session.commit()
    assert _saved(app, other) == [("Danseurs", "skill=dancer")]


def test_at_most_fifty_searches_per_account(app, recruiter, recruiter_id):
    with app.app_context():
        for n in range(MAX_SAVED):
            save_search(db.session, recruiter_id, SavedSearchInput(f"Recherche {n}", f"q=n{n}"))
        db.session.commit()
    response = _save(recruiter, "Une de trop", "country=MA")
    assert response.status_code == 303
    assert "déjà 50 recherches enregistrées" in recruiter.get("/talents").get_data(as_text=True)
    assert len(_saved(app, recruiter_id)) == MAX_SAVED


def test_a_stored_query_is_parsed_again_like_any_url(app, recruiter_id):
    """Whatever a row holds, only what the directory's parser accepts is used."""
    hostile = "q=%00Ben&availability=bogus&skill=<script>&country=xx1&page=999&city=7&age_min=-4"
    assert filters_of(hostile) == DirectoryFilters(q="Ben")
    with app.app_context():
        db.session.add(SavedSearch(user_id=recruiter_id, name="Vieille", query=hostile))
        db.session.commit()
        [view] = list_searches(db.session, recruiter_id, "fr")
        db.session.remove()
    assert view.query == "q=Ben"
    assert view.summary == (("Nom ou code", "Ben"),)


def test_one_cannot_touch_someone_elses_search(app, recruiter, make_user):
    other = make_user(email="autre@example.org", capabilities=["recruiter"])
    with app.app_context():
        saved = save_search(db.session, other, SavedSearchInput("À moi", "country=MA"))
        db.session.commit()
        search_id = saved.id
    token = _csrf_from(recruiter.get("/talents/saved").get_data(as_text=True))
    response = recruiter.post(f"/talents/saved/{search_id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert "À moi" not in recruiter.get("/talents/saved").get_data(as_text=True)
    assert _saved(app, other) == [("À moi", "country=MA")]


@pytest.mark.parametrize("capabilities", [["talent"], ["admin"], ["presence"]])
def test_saved_searches_need_the_recruiter_capability(client, make_user, capabilities):
    make_user(email="someone@example.org", capabilities=capabilities)
    assert login(client, "someone@example.org").status_code == 302
    assert client.get("/talents/saved").status_code == 403
    token = _csrf_from(client.get("/auth/forgot").get_data(as_text=True))
    data = {"csrf_token": token, "name": "x", "query": "country=MA"}
    assert client.post("/talents/saved", data=data).status_code == 403


def test_losing_the_capability_closes_the_saved_searches(app, recruiter, recruiter_id):
    assert _save(recruiter, "Danseurs", "skill=dancer").status_code == 302
    with app.app_context():
        user = db.session.get(User, recruiter_id)
        user.set_capabilities(["talent"])
        db.session.commit()
    assert recruiter.get("/talents/saved").status_code == 403
    assert 'name="availability"' not in recruiter.get("/talents").get_data(as_text=True)


@pytest.mark.both_backends
def test_deleting_the_account_deletes_its_searches(app, recruiter_id):
    with app.app_context():
        save_search(db.session, recruiter_id, SavedSearchInput("Danseurs", "skill=dancer"))
        db.session.commit()
        delete_account(db.session, db.session.get(User, recruiter_id))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0
        assert db.session.scalar(select(func.count()).select_from(AccountCapability)) == 0
        db.session.remove()


# -- cost of the capability check --------------------------------------------------------------


@pytest.mark.postgres
def test_the_first_directory_page_walks_the_listed_index_on_postgresql(app):
    """Listed means « holds the talent capability »: an EXISTS checked by primary key while
    the first page walks ix_users_listed_created newest first, never a scan of everyone."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("query plans are checked on PostgreSQL")
        now = utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "code": f"T{n:09d}",
                    "email": f"bulk{n}@example.org",
                    "first_name": f"Prenom{n}",
                    "last_name": f"Nom{n}",
                    "is_active_account": n % 10 != 0,
                    "created_at": now - dt.timedelta(minutes=n),
                    "email_verified_at": now,
                }
                for n in range(3000)
            ],
        )
        ids = sorted(db.session.scalars(select(User.id)))
        db.session.execute(insert(TalentProfile), [{"user_id": uid} for uid in ids])
        db.session.execute(  # a few staff accounts among them
            insert(AccountCapability),
            [
                {"user_id": uid, "capability": "talent" if n % 50 else "recruiter"}
                for n, uid in enumerate(ids)
            ],
        )
        db.session.commit()
        for table in ("users", "talent_profiles", "account_capabilities"):
            db.session.execute(text(f"ANALYZE {table}"))

        filters = DirectoryFilters()
        stmt = (
            filtered_select(filters)
            .order_by(User.created_at.desc(), User.id.desc())
            .limit(filters.per_page)
        )
        sql = str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(db.session.scalars(text("EXPLAIN " + sql)))
        assert "ix_users_listed_created" in plan, plan
        assert "pk_account_capabilities" in plan, plan
        assert "Seq Scan on users" not in plan, plan
        assert "Seq Scan on account_capabilities" not in plan, plan

        page = search_directory(db.session, filters, "fr")
        assert len(page.items) == filters.per_page
        assert (page.total, page.more) == (COUNT_CAP, True)  # counted up to the cap
        expected = sum(1 for n in range(3000) if n % 10 and n % 50)
        everyone = search_directory(db.session, filters, "fr", listed=ListedPlaces(ttl=0))
        assert (everyone.total, everyone.more) == (expected, False)  # the kept aggregate
        db.session.rollback()
