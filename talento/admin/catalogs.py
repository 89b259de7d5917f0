"""The skills catalogue as admins manage it: categories and skills with their usage counts,
creation, renaming, moving, merging and deletion. Services take a Session and never commit:
the caller (a view, a command) commits its unit of work or rolls it back.

Decisions:
- Slugs are identifiers (the directory filters by slug, links carry them): a rename changes
  names only. New rows get a slug made from the French name (ASCII, lowercase, hyphens, at
  most 60 characters, ``-2``, ``-3``… when taken).
- Names are unique per table, compared without case (``casefold``) after collapsing spaces:
  French names among French names, English among English. An empty English name takes the
  French one. The check reads the (small) table in Python, so that case folding is the same
  on SQLite and PostgreSQL; there is no unique index on names, so two admins creating the
  same name at the same instant could both succeed (slugs, which are unique, cannot).
- Merging skill A into B gives B to every talent who has A (unless they already have B),
  then deletes A, in three set-based statements. Both skill rows are locked first
  (``FOR UPDATE`` on PostgreSQL), which makes a concurrent profile edit that links a talent
  to A or B wait for the merge: no link is lost and none is inserted twice.
- A skill in use is deleted only with an explicit outcome for its talents: a replacement
  skill (a merge) or ``remove_from_talents=True``. A category with skills is deleted only
  when its skills move to another category (a category merge).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, distinct, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talento.extensions import rowcount
from talento.i18n import lazy_gettext as _l
from talento.profiles.models import (
    Skill,
    SkillCategory,
    TalentProfile,
    skill_name_field,
    talent_skills,
)
from talento.profiles.search.directory import sort_key

NAME_MAX = 120
SLUG_MAX = 60
SLUG_RE = re.compile(r"^[a-z0-9-]{1,60}$")
#: Letters that Unicode decomposition does not turn into ASCII.
_TRANSLITERATION = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l"}
)


class CatalogError(ValueError):
    """A refused catalogue change. `str(error)` is a message for the admin (French msgid);
    `field` names the form field it belongs to, or is None for the form as a whole."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class CatalogNotFound(CatalogError):
    """The category or skill does not exist (any more)."""


@dataclass(frozen=True)
class SkillUsage:
    id: int
    slug: str
    name_fr: str
    name_en: str
    category_id: int
    #: Number of talents who list this skill.
    talents: int

    def name(self, lang: str = "fr") -> str:
        return getattr(self, skill_name_field(lang))


@dataclass(frozen=True)
class CategoryUsage:
    id: int
    slug: str
    name_fr: str
    name_en: str
    skills: tuple[SkillUsage, ...]
    #: Number of distinct talents who list at least one skill of this category.
    talents: int

    def name(self, lang: str = "fr") -> str:
        return getattr(self, skill_name_field(lang))


@dataclass(frozen=True)
class Overview:
    categories: tuple[CategoryUsage, ...]

    def category(self, category_id: int) -> CategoryUsage | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def skill(self, skill_id: int) -> SkillUsage | None:
        return next((s for c in self.categories for s in c.skills if s.id == skill_id), None)

    @property
    def skill_count(self) -> int:
        return sum(len(c.skills) for c in self.categories)


@dataclass(frozen=True)
class MergeResult:
    #: Talents who received the target skill (or whose skills moved, for categories).
    moved: int
    #: Talents who already had the target skill and just lost the source one.
    already: int = 0
    #: Talents who lost the skill without a replacement.
    removed: int = 0


# -- reading ------------------------------------------------------------------------------------


def catalog_overview(session: Session, lang: str = "fr") -> Overview:
    """Every category with its skills and usage counts: one statement for the catalogue and
    its per-skill counts (a grouped COUNT joined in), one grouped statement for the number of
    distinct talents per category."""
    per_skill = (
        select(talent_skills.c.skill_id, func.count().label("talents"))
        .group_by(talent_skills.c.skill_id)
        .subquery()
    )
    rows = session.execute(
        select(
            SkillCategory.id,
            SkillCategory.slug,
            SkillCategory.name_fr,
            SkillCategory.name_en,
            Skill.id.label("skill_id"),
            Skill.slug.label("skill_slug"),
            Skill.name_fr.label("skill_fr"),
            Skill.name_en.label("skill_en"),
            func.coalesce(per_skill.c.talents, 0).label("talents"),
        )
        .select_from(SkillCategory)
        .outerjoin(Skill, Skill.category_id == SkillCategory.id)
        .outerjoin(per_skill, per_skill.c.skill_id == Skill.id)
    ).all()
    per_category = dict(
        session.execute(
            select(Skill.category_id, func.count(distinct(talent_skills.c.user_id)))
            .join(Skill, Skill.id == talent_skills.c.skill_id)
            .group_by(Skill.category_id)
        ).all()
    )
    heads: dict[int, tuple[str, str, str]] = {}
    skills: dict[int, list[SkillUsage]] = {}
    for row in rows:
        heads[row.id] = (row.slug, row.name_fr, row.name_en)
        entries = skills.setdefault(row.id, [])
        if row.skill_id is not None:
            entries.append(
                SkillUsage(
                    row.skill_id, row.skill_slug, row.skill_fr, row.skill_en, row.id, row.talents
                )
            )
    categories = [
        CategoryUsage(
            category_id,
            slug,
            name_fr,
            name_en,
            tuple(sorted(skills[category_id], key=lambda s: sort_key(s.name(lang)))),
            per_category.get(category_id, 0),
        )
        for category_id, (slug, name_fr, name_en) in heads.items()
    ]
    categories.sort(key=lambda c: sort_key(c.name(lang)))
    return Overview(tuple(categories))


def skill_usage(session: Session, skill_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(talent_skills).where(talent_skills.c.skill_id == skill_id)
    ).scalar_one()


# -- names and slugs ----------------------------------------------------------------------------


def clean_name(value: str | None) -> str:
    """NFC, spaces collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _name_key(value: str) -> str:
    return clean_name(value).casefold()


def slugify(text: str, fallback: str) -> str:
    """ASCII, lowercase, hyphen-separated, at most SLUG_MAX characters; `fallback` when the
    text has no ASCII letter or digit (an Arabic-only name, say)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or fallback


def _free_slug(session: Session, model: type[Skill] | type[SkillCategory], base: str) -> str:
    taken = set(session.scalars(select(model.slug)))
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return slug


def _checked_names(
    session: Session,
    model: type[Skill] | type[SkillCategory],
    name_fr: str | None,
    name_en: str | None,
    except_id: int | None = None,
) -> tuple[str, str]:
    fr, en = clean_name(name_fr), clean_name(name_en)
    if not fr:
        raise CatalogError(_l("Indiquez le nom en français."), "name_fr")
    en = en or fr
    for field, value in (("name_fr", fr), ("name_en", en)):
        if len(value) > NAME_MAX:
            raise CatalogError(
                _l("%(max)d caractères au maximum.", max=NAME_MAX),
                field,
            )
    rows = session.execute(select(model.id, model.name_fr, model.name_en)).all()
    for row_id, other_fr, other_en in rows:
        if row_id == except_id:
            continue
        if _name_key(other_fr) == _name_key(fr):
            raise CatalogError(_duplicate_message(model, other_fr), "name_fr")
        if _name_key(other_en) == _name_key(en):
            raise CatalogError(_duplicate_message(model, other_en), "name_en")
    return fr, en


def _duplicate_message(model, existing: str):
    if model is SkillCategory:
        return _l("Une catégorie porte déjà ce nom : « %(name)s ».", name=existing)
    return _l("Une compétence porte déjà ce nom : « %(name)s ».", name=existing)


def _flush_new(session: Session, row) -> None:
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent insert took the slug; the caller rolls back
        raise CatalogError(
            _l("Un autre ajout vient d'avoir lieu en même temps. Réessayez.")
        ) from error


# -- categories ---------------------------------------------------------------------------------


def _category(session: Session, category_id: int) -> SkillCategory:
    category = session.get(SkillCategory, category_id)
    if category is None:
        raise CatalogNotFound(_l("Cette catégorie n'existe pas ou plus."))
    return category


def _lock(session: Session, model: type[Skill] | type[SkillCategory], *ids: int) -> None:
    """Lock rows (FOR UPDATE on PostgreSQL, in id order so that two opposite merges cannot
    deadlock); a missing row is CatalogNotFound. A concurrent INSERT that references a locked
    row (a talent choosing the skill, a skill created in the category) waits for our commit."""
    found = set(
        session.scalars(
            select(model.id).where(model.id.in_(ids)).order_by(model.id).with_for_update()
        )
    )
    if found != set(ids):
        if model is SkillCategory:
            raise CatalogNotFound(_l("Cette catégorie n'existe pas ou plus."))
        raise CatalogNotFound(_l("Cette compétence n'existe pas ou plus."))


def create_category(session: Session, name_fr: str, name_en: str | None = None) -> SkillCategory:
    fr, en = _checked_names(session, SkillCategory, name_fr, name_en)
    slug = _free_slug(session, SkillCategory, slugify(fr, "categorie"))
    category = SkillCategory(slug=slug, name_fr=fr, name_en=en)
    _flush_new(session, category)
    return category


def rename_category(
    session: Session, category_id: int, name_fr: str, name_en: str | None = None
) -> SkillCategory:
    category = _category(session, category_id)
    category.name_fr, category.name_en = _checked_names(
        session, SkillCategory, name_fr, name_en, except_id=category.id
    )
    session.flush()
    return category


def merge_categories(session: Session, source_id: int, target_id: int | None) -> MergeResult:
    """Move every skill of `source` into `target`, then delete `source`. `moved` counts skills."""
    if target_id is None:
        raise CatalogError(_l("Choisissez la catégorie qui reste."), "target")
    if source_id == target_id:
        raise CatalogError(_l("Choisissez une autre catégorie que celle-ci."), "target")
    _lock(session, SkillCategory, source_id, target_id)
    source = _category(session, source_id)
    moved = rowcount(
        session.execute(
            update(Skill)
            .where(Skill.category_id == source_id)
            .values(category_id=target_id)
            .execution_options(synchronize_session=False)
        )
    )
    _expire(session, Skill)
    session.delete(source)
    session.flush()
    return MergeResult(moved=moved)


def delete_category(
    session: Session, category_id: int, move_to_id: int | None = None
) -> MergeResult:
    """Delete an empty category, or one whose skills move to `move_to_id` (chosen by the admin).
    A category with skills and no destination is refused."""
    if move_to_id is not None:
        return merge_categories(session, category_id, move_to_id)
    _lock(session, SkillCategory, category_id)
    category = _category(session, category_id)
    count = session.scalar(
        select(func.count()).select_from(Skill).where(Skill.category_id == category_id)
    )
    if count:
        raise CatalogError(
            _l(
                "Compétences dans cette catégorie : %(num)d. Choisissez la catégorie où les "
                "déplacer.",
                num=count,
            ),
            "move_to",
        )
    session.delete(category)
    session.flush()
    return MergeResult(moved=0)


# -- skills -------------------------------------------------------------------------------------


def _skill(session: Session, skill_id: int) -> Skill:
    skill = session.get(Skill, skill_id)
    if skill is None:
        raise CatalogNotFound(_l("Cette compétence n'existe pas ou plus."))
    return skill


def _known_category(session: Session, category_id: int | None) -> int:
    if category_id is None or session.get(SkillCategory, category_id) is None:
        raise CatalogError(_l("Choisissez une catégorie de la liste."), "category")
    return category_id


def create_skill(
    session: Session, category_id: int | None, name_fr: str, name_en: str | None = None
) -> Skill:
    category_id = _known_category(session, category_id)
    fr, en = _checked_names(session, Skill, name_fr, name_en)
    slug = _free_slug(session, Skill, slugify(fr, "competence"))
    skill = Skill(slug=slug, category_id=category_id, name_fr=fr, name_en=en)
    _flush_new(session, skill)
    return skill


def update_skill(
    session: Session,
    skill_id: int,
    name_fr: str,
    name_en: str | None = None,
    category_id: int | None = None,
) -> Skill:
    """Rename a skill and, when `category_id` is given, move it. The slug never changes."""
    skill = _skill(session, skill_id)
    skill.name_fr, skill.name_en = _checked_names(
        session, Skill, name_fr, name_en, except_id=skill.id
    )
    if category_id is not None and category_id != skill.category_id:
        skill.category_id = _known_category(session, category_id)
        session.expire(skill, ["category"])
    session.flush()
    return skill


def merge_skills(session: Session, source_id: int, target_id: int | None) -> MergeResult:
    """Talents who have `source` get `target` (unless they have it already); `source` is
    deleted. Set-based INSERT … SELECT and DELETE, inside the caller's transaction."""
    if target_id is None:
        raise CatalogError(_l("Choisissez la compétence qui reste."), "target")
    if source_id == target_id:
        raise CatalogError(_l("Choisissez une autre compétence que celle-ci."), "target")
    _lock(session, Skill, source_id, target_id)
    links, other = talent_skills, talent_skills.alias("other")
    has_target = exists().where(other.c.user_id == links.c.user_id, other.c.skill_id == target_id)
    total, already = session.execute(
        select(func.count(), func.count(other.c.user_id))
        .select_from(links)
        .outerjoin(other, (other.c.user_id == links.c.user_id) & (other.c.skill_id == target_id))
        .where(links.c.skill_id == source_id)
    ).one()
    session.execute(
        insert(links).from_select(
            ["user_id", "skill_id"],
            select(links.c.user_id, literal(target_id, links.c.skill_id.type)).where(
                links.c.skill_id == source_id, ~has_target
            ),
        )
    )
    _remove_skill(session, source_id)
    return MergeResult(moved=total - already, already=already)


def delete_skill(
    session: Session,
    skill_id: int,
    replacement_id: int | None = None,
    *,
    remove_from_talents: bool = False,
) -> MergeResult:
    """Delete a skill. In use, it needs an outcome for its talents: `replacement_id` (the
    talents get that skill instead: a merge) or `remove_from_talents=True` (they lose it)."""
    if replacement_id is not None:
        return merge_skills(session, skill_id, replacement_id)
    _lock(session, Skill, skill_id)
    used = skill_usage(session, skill_id)
    if used and not remove_from_talents:
        raise CatalogError(
            _l(
                "Talents qui ont cette compétence : %(num)d. Choisissez une compétence de "
                "remplacement, ou confirmez qu'elle leur sera retirée.",
                num=used,
            ),
            "outcome",
        )
    _remove_skill(session, skill_id)
    return MergeResult(moved=0, removed=used)


def _remove_skill(session: Session, skill_id: int) -> None:
    session.execute(delete(talent_skills).where(talent_skills.c.skill_id == skill_id))
    session.delete(session.get(Skill, skill_id))
    session.flush()
    _expire(session, TalentProfile, ["skills"])


def _expire(session: Session, model: type, attributes: list[str] | None = None) -> None:
    """Bulk statements bypass the identity map: expire what they may have changed."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, model):
            session.expire(instance, attributes)
