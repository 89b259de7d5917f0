"""Admin skill catalogues: overview with usage counts, create, rename, merge and delete of
skills and categories, guards (in-use deletion, duplicates, CSRF, access).

The skills tables are reference data shared by the whole test session: every test here leaves
them exactly as it found them (`catalogue_guard` snapshots and restores the rows, ids included).
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event, insert, select, text

from talento.accounts.models import User
from talento.admin.catalogs import (
    SLUG_RE,
    CatalogError,
    catalog_overview,
    create_category,
    create_skill,
    delete_category,
    delete_skill,
    merge_skills,
    slugify,
    update_skill,
)
from talento.extensions import db
from talento.profiles.models import Skill, SkillCategory, TalentProfile, talent_skills
from tests.helpers import _csrf_from, is_app_sql, login

CATALOGS = "/admin/catalogs"


# -- fixtures and helpers -----------------------------------------------------------------------


def _rows(model) -> list[tuple]:
    columns = model.__table__.columns
    return [tuple(row) for row in db.session.execute(select(*columns).order_by(model.id))]


@pytest.fixture(autouse=True)
def catalogue_guard(app):
    """Snapshot skill_categories and skills; put them back exactly after the test."""
    with app.app_context():
        before = {model: _rows(model) for model in (SkillCategory, Skill)}
        db.session.remove()
    yield
    with app.app_context():
        if all(_rows(model) == rows for model, rows in before.items()):
            db.session.remove()
            return
        db.session.rollback()
        db.session.execute(talent_skills.delete())  # per-test data, emptied after the test anyway
        db.session.execute(Skill.__table__.delete())
        db.session.execute(SkillCategory.__table__.delete())
        for model, rows in before.items():
            names = [c.name for c in model.__table__.columns]
            db.session.execute(
                insert(model.__table__), [dict(zip(names, r, strict=True)) for r in rows]
            )
        db.session.commit()
        assert all(_rows(model) == rows for model, rows in before.items())
        db.session.remove()


@pytest.fixture
def admin(client, make_user):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0001RAB")
    assert login(client, "boss@example.org").status_code == 302
    return client


@pytest.fixture
def catalogue(app):
    """A test category « Cirque (test) » with two skills; returns their ids."""
    with app.app_context():
        circus = create_category(db.session, "Cirque (test)", "Circus (test)")
        juggling = create_skill(db.session, circus.id, "Jonglage (test)", "Juggling (test)")
        trapeze = create_skill(db.session, circus.id, "Trapèze (test)", "Trapeze (test)")
        other = create_category(db.session, "Magie (test)", "Magic (test)")
        ids = {
            "circus": circus.id,
            "juggling": juggling.id,
            "juggling_slug": juggling.slug,
            "trapeze": trapeze.id,
            "trapeze_slug": trapeze.slug,
            "magic": other.id,
        }
        db.session.commit()
        db.session.remove()
    return ids


def page(client, path: str = CATALOGS) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def post(client, path: str, prefix: str, token_from: str | None = None, **fields):
    """POST a catalogue form (fields named `prefix-…`), with the CSRF token of a page."""
    token = _csrf_from(page(client, token_from or CATALOGS))
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data[f"{prefix}-csrf_token"] = token
    return client.post(path, data=data)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def skills_of(app, user_id: int) -> set[str]:
    with app.app_context():
        slugs = set(
            db.session.scalars(
                select(Skill.slug)
                .join(talent_skills, talent_skills.c.skill_id == Skill.id)
                .where(talent_skills.c.user_id == user_id)
            )
        )
        db.session.remove()
    return slugs


def usage(app, skill_id: int) -> int:
    with app.app_context():
        skill = catalog_overview(db.session).skill(skill_id)
        db.session.remove()
    return skill.talents if skill else None


def get(app, model, row_id: int):
    with app.app_context():
        row = db.session.get(model, row_id)
        if row is not None:
            db.session.expunge(row)
        db.session.remove()
    return row


# -- overview -----------------------------------------------------------------------------------


def test_overview_lists_categories_and_usage_counts(app, admin, make_talent, catalogue):
    make_talent(skills=[catalogue["juggling_slug"], catalogue["trapeze_slug"]])
    make_talent(skills=[catalogue["juggling_slug"], "actor"])
    body = html.unescape(page(admin))
    assert "Cirque (test)" in body
    assert "Jeu et interprétation" in body
    juggling = re.search(rf'<li id="skill-{catalogue["juggling"]}">(.*?)</li>', body, re.S)
    trapeze = re.search(rf'<li id="skill-{catalogue["trapeze"]}">(.*?)</li>', body, re.S)
    assert "2 talents" in juggling.group(1)
    assert "1 talent" in trapeze.group(1)
    circus = re.search(rf'id="category-{catalogue["circus"]}"(.*?)</section>', body, re.S)
    assert "2 compétences" in circus.group(1)
    assert "2 talents" in circus.group(1)
    magic = re.search(rf'id="category-{catalogue["magic"]}"(.*?)</section>', body, re.S)
    assert "0 talent" in magic.group(1)
    assert "Aucune compétence" in magic.group(1)


def test_overview_counts_in_two_statements_whatever_the_catalogue_size(app, make_talent):
    make_talent(skills=["actor", "singer"])
    make_talent(skills=["actor"])
    with app.app_context():
        statements = []

        def count(*args) -> None:
            if is_app_sql(args[2]):
                statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            overview = catalog_overview(db.session)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
    assert len(statements) == 2  # the catalogue with per-skill counts, per-category counts
    by_slug = {s.slug: s for c in overview.categories for s in c.skills}
    assert by_slug["actor"].talents == 2
    assert by_slug["singer"].talents == 1
    acting = next(c for c in overview.categories if c.slug == "acting")
    assert acting.talents == 2  # distinct talents, not links


# -- creation, names and slugs ------------------------------------------------------------------


def test_create_category_and_skill_through_the_forms(app, admin):
    response = post(admin, "/admin/catalogs/categories", "category", name_fr="  Arts   du cirque ")
    assert response.status_code == 302
    with app.app_context():
        category = db.session.scalars(
            select(SkillCategory).where(SkillCategory.slug == "arts-du-cirque")
        ).one()
        assert (category.name_fr, category.name_en) == ("Arts du cirque", "Arts du cirque")
        category_id = category.id
        db.session.remove()
    assert "Catégorie « Arts du cirque » créée." in text_of(admin.get(response.location))

    response = post(
        admin,
        "/admin/catalogs/skills",
        "skill",
        category=str(category_id),
        name_fr="Jonglage aérien",
        name_en="Aerial juggling",
    )
    assert response.status_code == 302
    with app.app_context():
        skill = db.session.scalars(select(Skill).where(Skill.slug == "jonglage-aerien")).one()
        assert (skill.category_id, skill.name_en) == (category_id, "Aerial juggling")
        db.session.remove()


@pytest.mark.both_backends
def test_duplicate_names_are_refused_case_insensitively(app, admin, catalogue):
    count = _count(app)
    response = post(admin, "/admin/catalogs/categories", "category", name_fr="MUSIQUE")
    assert response.status_code == 400
    assert "Une catégorie porte déjà ce nom : « Musique »." in text_of(response)
    response = post(
        admin,
        "/admin/catalogs/skills",
        "skill",
        category=str(catalogue["magic"]),
        name_fr="jonglage (TEST)",
    )
    assert response.status_code == 400
    assert "Une compétence porte déjà ce nom : « Jonglage (test) »." in text_of(response)
    response = post(
        admin,
        "/admin/catalogs/skills",
        "skill",
        category=str(catalogue["magic"]),
        name_fr="Lancer de couteaux",
        name_en="juggling (test)",
    )
    assert response.status_code == 400
    assert "Une compétence porte déjà ce nom : « Juggling (test) »." in text_of(response)
    # renaming onto another row's name is refused too; renaming to one's own name is not
    path = f"/admin/catalogs/skills/{catalogue['trapeze']}"
    response = post(
        admin,
        f"{path}/rename",
        "rename",
        token_from=path,
        name_fr="Jonglage (Test)",
        category=str(catalogue["circus"]),
    )
    assert response.status_code == 400
    assert _count(app) == count


def _count(app) -> tuple[int, int]:
    with app.app_context():
        counts = (len(_rows(SkillCategory)), len(_rows(Skill)))
        db.session.remove()
    return counts


def test_invalid_creations_are_form_errors(admin, catalogue):
    response = post(admin, "/admin/catalogs/categories", "category", name_fr="   ")
    assert response.status_code == 400
    assert "Indiquez le nom en français." in text_of(response)
    response = post(admin, "/admin/catalogs/categories", "category", name_fr="x" * 121)
    assert response.status_code == 400
    assert "120 caractères au maximum." in text_of(response)
    response = post(admin, "/admin/catalogs/skills", "skill", category="999999", name_fr="Mime")
    assert response.status_code == 400
    assert "Choisissez une catégorie de la liste." in text_of(response)
    response = post(admin, "/admin/catalogs/skills", "skill", category="", name_fr="Mime")
    assert response.status_code == 400
    assert "Choisissez une catégorie." in text_of(response)


def test_slugs_are_ascii_unique_and_bounded(app, catalogue):
    assert slugify("Chœur à l'Opéra", "x") == "choeur-a-l-opera"
    assert slugify("Comédien·ne", "x") == "comedienne"
    assert slugify("رقص", "competence") == "competence"
    long = slugify("Très " * 40, "x")
    assert len(long) <= 60
    assert SLUG_RE.match(long)
    assert not long.endswith("-")
    with app.app_context():
        twin = create_skill(db.session, catalogue["circus"], "Actor")
        assert twin.slug == "actor-2"  # « actor » is the seeded skill's
        arabic = create_skill(db.session, catalogue["circus"], "رقص", "Dance (ar)")
        assert arabic.slug == "competence"
        longest = create_skill(db.session, catalogue["circus"], "Très " * 23, "Very long")
        again = create_skill(db.session, catalogue["circus"], "Très " * 24, "Very long 2")
        assert again.slug != longest.slug
        assert len(again.slug) <= 60
        assert all(SLUG_RE.match(s.slug) for s in (twin, arabic, longest, again))
        db.session.rollback()


# -- renaming -----------------------------------------------------------------------------------


def test_rename_and_move_a_skill_keeps_its_slug(app, admin, make_talent, catalogue):
    talent = make_talent(skills=[catalogue["juggling_slug"]])
    path = f"/admin/catalogs/skills/{catalogue['juggling']}"
    assert "Jonglage (test)" in html.unescape(page(admin, path))
    response = post(
        admin,
        f"{path}/rename",
        "rename",
        token_from=path,
        name_fr="Jonglerie",
        name_en="Juggling",
        category=str(catalogue["magic"]),
    )
    assert response.status_code == 302
    skill = get(app, Skill, catalogue["juggling"])
    assert (skill.slug, skill.name_fr, skill.name_en, skill.category_id) == (
        catalogue["juggling_slug"],
        "Jonglerie",
        "Juggling",
        catalogue["magic"],
    )
    assert skills_of(app, talent) == {catalogue["juggling_slug"]}
    assert "Compétence « Jonglerie » enregistrée." in text_of(admin.get(response.location))


def test_rename_a_category(app, admin, catalogue):
    path = f"/admin/catalogs/categories/{catalogue['circus']}"
    response = post(
        admin, f"{path}/rename", "rename", token_from=path, name_fr="Cirque", name_en="Circus"
    )
    assert response.status_code == 302
    category = get(app, SkillCategory, catalogue["circus"])
    assert (category.name_fr, category.name_en) == ("Cirque", "Circus")
    assert category.slug == "cirque-test"
    response = post(admin, f"{path}/rename", "rename", token_from=path, name_fr="danse")
    assert response.status_code == 400
    assert "Une catégorie porte déjà ce nom : « Danse »." in text_of(response)


# -- merging and deleting skills ----------------------------------------------------------------


@pytest.mark.both_backends
def test_merge_skills_moves_talents_without_duplicates(app, admin, make_talent, catalogue):
    a, b = catalogue["juggling_slug"], catalogue["trapeze_slug"]
    only_a = make_talent(skills=[a, "actor"])
    both = make_talent(skills=[a, b])
    only_b = make_talent(skills=[b])
    neither = make_talent(skills=["singer"])
    path = f"/admin/catalogs/skills/{catalogue['juggling']}"
    body = html.unescape(page(admin, path))
    assert "Concernés : 2 talents." in body

    # without the confirmation nothing happens
    response = post(admin, f"{path}/merge", "merge", token_from=path, target=catalogue["trapeze"])
    assert response.status_code == 400
    assert "Cochez la case pour confirmer." in text_of(response)
    assert usage(app, catalogue["juggling"]) == 2

    response = post(
        admin, f"{path}/merge", "merge", token_from=path, target=catalogue["trapeze"], confirm="y"
    )
    assert response.status_code == 302
    assert get(app, Skill, catalogue["juggling"]) is None
    assert skills_of(app, only_a) == {b, "actor"}
    assert skills_of(app, both) == {b}
    assert skills_of(app, only_b) == {b}
    assert skills_of(app, neither) == {"singer"}
    assert usage(app, catalogue["trapeze"]) == 3
    flashed = text_of(admin.get(response.location))
    assert (
        "« Jonglage (test) » fusionnée dans « Trapèze (test) » (talents réattribués : 1 talent)."
        in flashed
    )


def test_merge_into_itself_or_an_unknown_skill_is_refused(app, admin, catalogue):
    path = f"/admin/catalogs/skills/{catalogue['juggling']}"
    for target in (catalogue["juggling"], 999999, "abc", "²", ""):
        response = post(
            admin, f"{path}/merge", "merge", token_from=path, target=target, confirm="y"
        )
        assert response.status_code == 400
    assert get(app, Skill, catalogue["juggling"]) is not None
    with app.app_context(), pytest.raises(CatalogError):
        merge_skills(db.session, catalogue["juggling"], catalogue["juggling"])


def test_a_skill_in_use_needs_an_explicit_outcome(app, admin, make_talent, catalogue):
    talent = make_talent(skills=[catalogue["juggling_slug"], "actor"])
    path = f"/admin/catalogs/skills/{catalogue['juggling']}"
    delete = f"{path}/delete"
    assert "1 talent a cette compétence" in html.unescape(page(admin, path))

    response = post(admin, delete, "delete", token_from=path, confirm="y")
    assert response.status_code == 400
    assert "Choisissez ce que deviennent ces talents." in text_of(response)
    response = post(admin, delete, "delete", token_from=path, outcome="replace", confirm="y")
    assert response.status_code == 400
    assert "Choisissez la compétence de remplacement." in text_of(response)
    response = post(admin, delete, "delete", token_from=path, outcome="remove")
    assert response.status_code == 400
    assert skills_of(app, talent) == {catalogue["juggling_slug"], "actor"}

    with app.test_request_context():  # the service refuses too, whatever the caller
        with pytest.raises(CatalogError) as refused:
            delete_skill(db.session, catalogue["juggling"])
        assert refused.value.field == "outcome"
        assert "Talents qui ont cette compétence : 1." in str(refused.value)
        db.session.rollback()

    response = post(admin, delete, "delete", token_from=path, outcome="remove", confirm="y")
    assert response.status_code == 302
    assert get(app, Skill, catalogue["juggling"]) is None
    assert skills_of(app, talent) == {"actor"}
    assert "retirée de 1 talent" in text_of(admin.get(response.location))


def test_delete_a_skill_with_a_replacement_is_a_merge(app, admin, make_talent, catalogue):
    talent = make_talent(skills=[catalogue["juggling_slug"]])
    path = f"/admin/catalogs/skills/{catalogue['juggling']}"
    response = post(
        admin,
        f"{path}/delete",
        "delete",
        token_from=path,
        outcome="replace",
        replacement=catalogue["trapeze"],
        confirm="y",
    )
    assert response.status_code == 302
    assert get(app, Skill, catalogue["juggling"]) is None
    assert skills_of(app, talent) == {catalogue["trapeze_slug"]}


def test_delete_an_unused_skill_needs_only_the_confirmation(app, admin, catalogue):
    path = f"/admin/catalogs/skills/{catalogue['trapeze']}"
    assert "Aucun talent n'a cette compétence." in html.unescape(page(admin, path))
    response = post(admin, f"{path}/delete", "delete", token_from=path)
    assert response.status_code == 400
    assert get(app, Skill, catalogue["trapeze"]) is not None
    response = post(admin, f"{path}/delete", "delete", token_from=path, confirm="y")
    assert response.status_code == 302
    assert get(app, Skill, catalogue["trapeze"]) is None


def test_services_keep_loaded_profiles_coherent(app, make_talent, catalogue):
    talent = make_talent(skills=[catalogue["juggling_slug"]])
    with app.app_context():
        profile = db.session.get(TalentProfile, talent)
        assert [s.slug for s in profile.skills] == [catalogue["juggling_slug"]]
        result = merge_skills(db.session, catalogue["juggling"], catalogue["trapeze"])
        assert (result.moved, result.already) == (1, 0)
        assert [s.slug for s in profile.skills] == [catalogue["trapeze_slug"]]
        db.session.rollback()  # nothing committed: the merge is one unit of work
        assert usage(app, catalogue["juggling"]) == 1
        db.session.remove()


# -- categories ---------------------------------------------------------------------------------


def test_merge_categories_moves_skills_and_keeps_talents(app, admin, make_talent, catalogue):
    talent = make_talent(skills=[catalogue["juggling_slug"]])
    path = f"/admin/catalogs/categories/{catalogue['circus']}"
    response = post(
        admin, f"{path}/merge", "merge", token_from=path, target=catalogue["magic"], confirm="y"
    )
    assert response.status_code == 302
    assert get(app, SkillCategory, catalogue["circus"]) is None
    assert get(app, Skill, catalogue["juggling"]).category_id == catalogue["magic"]
    assert get(app, Skill, catalogue["trapeze"]).category_id == catalogue["magic"]
    assert skills_of(app, talent) == {catalogue["juggling_slug"]}
    assert "2 compétences déplacées" in text_of(admin.get(response.location))


def test_a_category_with_skills_is_deleted_only_by_moving_them(app, admin, catalogue):
    path = f"/admin/catalogs/categories/{catalogue['circus']}"
    response = post(admin, f"{path}/delete", "delete", token_from=path, confirm="y")
    assert response.status_code == 400
    assert "Choisissez la catégorie qui recevra ses compétences." in text_of(response)
    with app.test_request_context():
        with pytest.raises(CatalogError) as refused:
            delete_category(db.session, catalogue["circus"])
        assert "Compétences dans cette catégorie : 2." in str(refused.value)
        db.session.rollback()
    assert get(app, SkillCategory, catalogue["circus"]) is not None

    response = post(
        admin, f"{path}/delete", "delete", token_from=path, move_to=catalogue["magic"], confirm="y"
    )
    assert response.status_code == 302
    assert get(app, SkillCategory, catalogue["circus"]) is None
    assert get(app, Skill, catalogue["trapeze"]).category_id == catalogue["magic"]


def test_delete_an_empty_category(app, admin, catalogue):
    path = f"/admin/catalogs/categories/{catalogue['magic']}"
    assert "Cette catégorie est vide." in html.unescape(page(admin, path))
    response = post(admin, f"{path}/delete", "delete", token_from=path, confirm="y")
    assert response.status_code == 302
    assert get(app, SkillCategory, catalogue["magic"]) is None


def test_services_validate_their_input(app, catalogue):
    with app.app_context():
        with pytest.raises(CatalogError):
            create_skill(db.session, None, "Sans catégorie")
        with pytest.raises(CatalogError):
            update_skill(db.session, catalogue["juggling"], "Trapèze (TEST)")
        with pytest.raises(CatalogError):
            create_category(db.session, " ")
        db.session.rollback()


# -- guards -------------------------------------------------------------------------------------


def test_unknown_ids_are_404(admin):
    assert admin.get("/admin/catalogs/skills/999999").status_code == 404
    assert admin.get("/admin/catalogs/categories/999999").status_code == 404
    token = _csrf_from(page(admin))
    response = admin.post(
        "/admin/catalogs/skills/999999/delete",
        data={"delete-csrf_token": token, "delete-confirm": "y"},
    )
    assert response.status_code == 404


ROUTES = [
    ("get", CATALOGS),
    ("post", "/admin/catalogs/categories"),
    ("post", "/admin/catalogs/skills"),
    ("get", "/admin/catalogs/skills/{juggling}"),
    ("post", "/admin/catalogs/skills/{juggling}/rename"),
    ("post", "/admin/catalogs/skills/{juggling}/merge"),
    ("post", "/admin/catalogs/skills/{juggling}/delete"),
    ("get", "/admin/catalogs/categories/{circus}"),
    ("post", "/admin/catalogs/categories/{circus}/rename"),
    ("post", "/admin/catalogs/categories/{circus}/merge"),
    ("post", "/admin/catalogs/categories/{circus}/delete"),
]


def test_only_admins_reach_the_catalogues(app, client, make_user, catalogue):
    for _method, path in ROUTES:  # anonymous: to the login page
        response = getattr(client, _method)(path.format(**catalogue))
        assert response.status_code in (302, 401, 400), path
        if _method == "get":
            assert "/auth/login" in response.location
    for role in ("talent", "presence", "recruiter"):
        email = f"{role}@example.org"
        make_user(email=email, capabilities=[role], code=f"MAF000{len(role)}CAS")
        assert login(client, email).status_code == 302
        token = _csrf_from(client.get("/profile").get_data(as_text=True))
        for method, path in ROUTES:
            data = {"csrf_token": token, "delete-confirm": "y", "merge-confirm": "y"}
            response = getattr(client, method)(path.format(**catalogue), data=data)
            assert response.status_code == 403, (role, path)
        client.post("/auth/logout", data={"csrf_token": token})
    assert get(app, Skill, catalogue["juggling"]) is not None
    assert get(app, SkillCategory, catalogue["circus"]) is not None


def test_csrf_is_required(app, admin, catalogue):
    count = _count(app)
    path = f"/admin/catalogs/skills/{catalogue['trapeze']}"
    responses = [
        admin.post("/admin/catalogs/categories", data={"category-name_fr": "Sans jeton"}),
        admin.post(f"{path}/delete", data={"delete-confirm": "y"}),
        admin.post(f"{path}/delete", data={"delete-confirm": "y", "delete-csrf_token": "forged"}),
    ]
    assert [r.status_code for r in responses] == [400, 400, 400]
    assert _count(app) == count


def test_pages_are_french_first_and_work_without_javascript(admin, catalogue):
    for path in (
        CATALOGS,
        f"/admin/catalogs/skills/{catalogue['juggling']}",
        f"/admin/catalogs/categories/{catalogue['circus']}",
    ):
        body = page(admin, path)
        assert "<script" not in body
        assert 'name="viewport"' in body
        forms = re.findall(r"<form method=\"post\"(.*?)</form>", body, re.S)
        assert forms
        assert all("csrf_token" in f for f in forms)
        ids = re.findall(r'\sid="([^"]+)"', body)
        assert len(ids) == len(set(ids)), "duplicate ids"
        english = admin.get(f"{path}?lang=en")
        assert english.status_code == 200
        assert "Circus (test)" in text_of(english)


def test_the_guard_restores_the_seeded_catalogue(app):
    """The seeded slugs other tests rely on are still here (the guard restored them)."""
    with app.app_context():
        slugs = set(db.session.scalars(select(Skill.slug)))
        assert {"actor", "singer", "dj"} <= slugs
        assert db.session.scalar(text("SELECT count(*) FROM talent_skills")) == 0
        assert db.session.scalar(select(User.id).limit(1)) is None
        db.session.remove()
