"""Admin pages of the skills catalogue: an overview with usage counts and creation forms, and
one page per skill and per category with its rename, merge and delete forms.

Every change is a POST that redirects (POST/redirect/GET) to the page of what remains (the
new or renamed item, the merge target, the category of a deleted skill), where the flashed
message shows at the top; a refused change renders its page again with the message on the
form and status 400. Merges and deletions need a ticked
confirmation, and deleting a skill in use needs an explicit choice for its talents. Access is
checked once for the whole blueprint (`talento.admin.blueprint`).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]

from talento.admin.blueprint import bp
from talento.admin.catalog_forms import (
    CategoryForm,
    DeleteCategoryForm,
    DeleteSkillForm,
    MergeForm,
    SkillForm,
)
from talento.admin.catalogs import (
    CatalogError,
    CatalogNotFound,
    CategoryUsage,
    Overview,
    SkillUsage,
    catalog_overview,
    create_category,
    create_skill,
    delete_category,
    delete_skill,
    merge_categories,
    merge_skills,
    rename_category,
    update_skill,
)
from talento.context import current_language
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.profiles.search.query_args import parse_id

# The `type: ignore[attr-defined]` on the SelectChoice import: SelectChoice is new in WTForms
# 3.3 and the types-WTForms stubs still describe 3.2 (warn_unused_ignores will say when they
# catch up).

_FAILED = object()


def _int(value: str | None) -> int | None:
    return parse_id(value) if value else None


def _name_fr(form: CategoryForm) -> str:
    """The French name of a validated category or skill form."""
    name = form.name_fr.data
    assert name is not None  # DataRequired: _apply runs its action after validating
    return name


def _category_choices(overview: Overview, lang: str, exclude: int | None = None) -> list:
    return [SelectChoice("", _("— Choisir une catégorie —"))] + [
        SelectChoice(str(c.id), c.name(lang)) for c in overview.categories if c.id != exclude
    ]


def _skill_choices(overview: Overview, lang: str, exclude: int) -> list:
    choices = [SelectChoice("", _("— Choisir une compétence —"))]
    for category in overview.categories:
        choices += [
            SelectChoice(str(s.id), s.name(lang), optgroup=category.name(lang))
            for s in category.skills
            if s.id != exclude
        ]
    return choices


def _form(cls: type[FlaskForm], prefix: str, posted: dict, **data) -> FlaskForm:
    """The submitted form of this name, or a blank one (prefilled with `data`)."""
    form = posted.get(prefix)
    return form if form is not None else cls(prefix=prefix, formdata=None, data=data or None)


def _apply(form: FlaskForm, action: Callable):
    """Validate `form` and run `action` (one service call; the request commits). On a
    refusal: roll back, put the message on the form and return _FAILED."""
    if not form.validate():
        return _FAILED
    try:
        result = action()
    except CatalogNotFound:
        db.session.rollback()
        abort(404)
    except CatalogError as error:
        db.session.rollback()
        field = form._fields.get(error.field) if error.field else None
        if field is not None and error.field != "csrf_token":
            field.errors = [*field.errors, str(error)]
        else:
            form.form_errors.append(str(error))
        return _FAILED
    return result


def _talents(count: int) -> str:
    return ngettext("%(num)d talent", "%(num)d talents", count)


# -- overview and creation ----------------------------------------------------------------------


def _overview_page(status: int = 200, **posted):
    lang = current_language()
    overview = catalog_overview(db.session(), lang)
    category_form = _form(CategoryForm, "category", posted)
    skill_form = _form(SkillForm, "skill", posted)
    skill_form.category.choices = _category_choices(overview, lang)
    page = render_template(
        "admin/catalogs.html",
        overview=overview,
        category_form=category_form,
        skill_form=skill_form,
        lang=lang,
    )
    return page, status


@bp.get("/catalogs")
def catalogs():
    return _overview_page()


@bp.post("/catalogs/categories")
def catalog_category_create():
    form = CategoryForm(prefix="category")
    category = _apply(
        form, lambda: create_category(db.session(), _name_fr(form), form.name_en.data)
    )
    if category is _FAILED:
        return _overview_page(400, category=form)
    flash(_("Catégorie « %(name)s » créée.", name=category.name_fr), "success")
    return redirect(url_for("admin.catalog_category", category_id=category.id))


@bp.post("/catalogs/skills")
def catalog_skill_create():
    form = SkillForm(prefix="skill")
    form.category.choices = _category_choices(catalog_overview(db.session()), current_language())
    skill = _apply(
        form,
        lambda: create_skill(
            db.session(), _int(form.category.data), _name_fr(form), form.name_en.data
        ),
    )
    if skill is _FAILED:
        return _overview_page(400, skill=form)
    flash(_("Compétence « %(name)s » créée.", name=skill.name_fr), "success")
    return redirect(url_for("admin.catalog_skill", skill_id=skill.id))


# -- one skill ----------------------------------------------------------------------------------


def _skill_forms(overview: Overview, skill: SkillUsage, lang: str, posted: dict) -> dict:
    rename = _form(
        SkillForm,
        "rename",
        posted,
        name_fr=skill.name_fr,
        name_en=skill.name_en,
        category=str(skill.category_id),
    )
    rename.category.choices = _category_choices(overview, lang)
    merge = _form(MergeForm, "merge", posted)
    merge.target.choices = _skill_choices(overview, lang, exclude=skill.id)
    remove = _form(DeleteSkillForm, "delete", posted)
    remove.replacement.choices = merge.target.choices
    remove.usage = skill.talents
    return {"rename_form": rename, "merge_form": merge, "delete_form": remove}


def _skill_page(skill_id: int, status: int = 200, **posted):
    lang = current_language()
    overview = catalog_overview(db.session(), lang)
    skill = overview.skill(skill_id) or abort(404)
    page = render_template(
        "admin/catalog_skill.html",
        skill=skill,
        category=overview.category(skill.category_id),
        lang=lang,
        **_skill_forms(overview, skill, lang, posted),
    )
    return page, status


def _posted_skill_form(skill_id: int, name: str, form_class: type[FlaskForm]):
    """The catalogue, the skill (or 404) and the submitted form with its choices."""
    lang = current_language()
    overview = catalog_overview(db.session(), lang)
    skill = overview.skill(skill_id) or abort(404)
    form = form_class(prefix=name)
    _skill_forms(overview, skill, lang, {name: form})
    return overview, skill, form


@bp.get("/catalogs/skills/<int:skill_id>")
def catalog_skill(skill_id: int):
    return _skill_page(skill_id)


@bp.post("/catalogs/skills/<int:skill_id>/rename")
def catalog_skill_rename(skill_id: int):
    form = _posted_skill_form(skill_id, "rename", SkillForm)[2]
    skill = _apply(
        form,
        lambda: update_skill(
            db.session(), skill_id, form.name_fr.data, form.name_en.data, _int(form.category.data)
        ),
    )
    if skill is _FAILED:
        return _skill_page(skill_id, 400, rename=form)
    flash(_("Compétence « %(name)s » enregistrée.", name=skill.name_fr), "success")
    return redirect(url_for("admin.catalog_skill", skill_id=skill_id))


@bp.post("/catalogs/skills/<int:skill_id>/merge")
def catalog_skill_merge(skill_id: int):
    overview, skill, form = _posted_skill_form(skill_id, "merge", MergeForm)
    target_id = _int(form.target.data)
    result = _apply(form, lambda: merge_skills(db.session(), skill_id, target_id))
    if result is _FAILED:
        return _skill_page(skill_id, 400, merge=form)
    flash(
        _(
            "« %(source)s » fusionnée dans « %(target)s » (talents réattribués : %(talents)s).",
            source=skill.name_fr,
            target=overview.skill(target_id).name_fr,
            talents=_talents(result.moved),
        ),
        "success",
    )
    return redirect(url_for("admin.catalog_skill", skill_id=target_id))


@bp.post("/catalogs/skills/<int:skill_id>/delete")
def catalog_skill_delete(skill_id: int):
    skill, form = _posted_skill_form(skill_id, "delete", DeleteSkillForm)[1:]
    replace = form.outcome.data == "replace"
    result = _apply(
        form,
        lambda: delete_skill(
            db.session(),
            skill_id,
            _int(form.replacement.data) if replace else None,
            remove_from_talents=form.outcome.data == "remove",
        ),
    )
    if result is _FAILED:
        return _skill_page(skill_id, 400, delete=form)
    if result.removed:
        message = _(
            "« %(name)s » supprimée et retirée de %(talents)s.",
            name=skill.name_fr,
            talents=_talents(result.removed),
        )
    elif replace:
        message = _(
            "« %(name)s » supprimée (compétence de remplacement donnée à : %(talents)s).",
            name=skill.name_fr,
            talents=_talents(result.moved),
        )
    else:
        message = _("« %(name)s » supprimée.", name=skill.name_fr)
    flash(message, "success")
    return redirect(url_for("admin.catalog_category", category_id=skill.category_id))


# -- one category -------------------------------------------------------------------------------


def _category_forms(overview: Overview, category: CategoryUsage, lang: str, posted: dict):
    rename = _form(
        CategoryForm, "rename", posted, name_fr=category.name_fr, name_en=category.name_en
    )
    merge = _form(MergeForm, "merge", posted)
    merge.target.choices = _category_choices(overview, lang, exclude=category.id)
    remove = _form(DeleteCategoryForm, "delete", posted)
    remove.move_to.choices = merge.target.choices
    remove.skill_count = len(category.skills)
    return {"rename_form": rename, "merge_form": merge, "delete_form": remove}


def _category_page(category_id: int, status: int = 200, **posted):
    lang = current_language()
    overview = catalog_overview(db.session(), lang)
    category = overview.category(category_id) or abort(404)
    page = render_template(
        "admin/catalog_category.html",
        category=category,
        lang=lang,
        **_category_forms(overview, category, lang, posted),
    )
    return page, status


def _posted_category_form(category_id: int, name: str, form_class: type[FlaskForm]):
    lang = current_language()
    overview = catalog_overview(db.session(), lang)
    category = overview.category(category_id) or abort(404)
    form = form_class(prefix=name)
    _category_forms(overview, category, lang, {name: form})
    return overview, category, form


@bp.get("/catalogs/categories/<int:category_id>")
def catalog_category(category_id: int):
    return _category_page(category_id)


@bp.post("/catalogs/categories/<int:category_id>/rename")
def catalog_category_rename(category_id: int):
    form = _posted_category_form(category_id, "rename", CategoryForm)[2]
    category = _apply(
        form,
        lambda: rename_category(db.session(), category_id, form.name_fr.data, form.name_en.data),
    )
    if category is _FAILED:
        return _category_page(category_id, 400, rename=form)
    flash(_("Catégorie « %(name)s » enregistrée.", name=category.name_fr), "success")
    return redirect(url_for("admin.catalog_category", category_id=category_id))


@bp.post("/catalogs/categories/<int:category_id>/merge")
def catalog_category_merge(category_id: int):
    overview, category, form = _posted_category_form(category_id, "merge", MergeForm)
    target_id = _int(form.target.data)
    result = _apply(form, lambda: merge_categories(db.session(), category_id, target_id))
    if result is _FAILED:
        return _category_page(category_id, 400, merge=form)
    flash(
        ngettext(
            "« %(source)s » fusionnée dans « %(target)s » : %(num)d compétence déplacée.",
            "« %(source)s » fusionnée dans « %(target)s » : %(num)d compétences déplacées.",
            result.moved,
            source=category.name_fr,
            target=overview.category(target_id).name_fr,
        ),
        "success",
    )
    return redirect(url_for("admin.catalog_category", category_id=target_id))


@bp.post("/catalogs/categories/<int:category_id>/delete")
def catalog_category_delete(category_id: int):
    category, form = _posted_category_form(category_id, "delete", DeleteCategoryForm)[1:]
    move_to = _int(form.move_to.data)
    result = _apply(form, lambda: delete_category(db.session(), category_id, move_to))
    if result is _FAILED:
        return _category_page(category_id, 400, delete=form)
    if result.moved:
        message = ngettext(
            "Catégorie « %(name)s » supprimée ; %(num)d compétence déplacée.",
            "Catégorie « %(name)s » supprimée ; %(num)d compétences déplacées.",
            result.moved,
            name=category.name_fr,
        )
    else:
        message = _("Catégorie « %(name)s » supprimée.", name=category.name_fr)
    flash(message, "success")
    return redirect(url_for("admin.catalogs"))
