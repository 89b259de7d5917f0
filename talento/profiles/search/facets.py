"""The directory's checkbox lists (spoken languages, skills): which values are offered, from a
cached aggregate, and which are shown once the list's filter box narrowed it.

Only values that at least one listed talent has are offered, plus the ones chosen in the URL:
a checkbox that can only lead to « Aucun résultat » is noise on a phone. The counts come from
one statement (two ``GROUP BY`` over the listed talents joined by ``UNION ALL``, see
:class:`ListedFacets`), kept `ttl` seconds per process and dropped at once when this process
changes a talent (the same change counter as ``directory.ListedPlaces``), so the filter form
never runs one query per value.

Each list has a type-to-filter box. Without JavaScript it is part of the GET form: submitted,
the server marks the values whose name does not contain the typed text (accents and case
ignored) ``hidden``, chosen values always staying visible; with JavaScript
(``static/js/filter-list.js``) the same rule runs as the person types.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.geo.services import french_key
from talento.profiles.languages import MOROCCAN, display_order, language_label
from talento.profiles.models import Skill, TalentLanguage, TalentProfile, talent_skills
from talento.profiles.search.directory import (
    DirectoryFilters,
    DirectoryForm,
    listed_conditions,
    local_changes,
)


@dataclass(frozen=True)
class Counts:
    languages: dict[str, int]
    skills: dict[str, int]  # by slug


class ListedFacets:
    """Listed talents per spoken language and per skill, kept `ttl` seconds per process."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._counts: Counts | None = None
        self._at = 0.0
        self._generation = -1

    def counts(self, session: Session) -> Counts:
        with self._lock:
            fresh = time.monotonic() - self._at < self.ttl
            if self._counts is not None and fresh and self._generation == local_changes():
                return self._counts
            generation = local_changes()
        by_language = (
            select(literal("language"), TalentLanguage.code, func.count())
            .join(User, User.id == TalentLanguage.user_id)
            .join(TalentProfile, TalentProfile.user_id == User.id)
            .where(*listed_conditions())
            .group_by(TalentLanguage.code)
        )
        by_skill = (
            select(literal("skill"), Skill.slug, func.count())
            .select_from(talent_skills)
            .join(Skill, Skill.id == talent_skills.c.skill_id)
            .join(User, User.id == talent_skills.c.user_id)
            .join(TalentProfile, TalentProfile.user_id == User.id)
            .where(*listed_conditions())
            .group_by(Skill.slug)
        )
        found: dict[str, dict[str, int]] = {"language": {}, "skill": {}}
        for kind, value, n in session.execute(union_all(by_language, by_skill)):
            found[kind][value] = n
        counts = Counts(found["language"], found["skill"])
        with self._lock:
            self._counts, self._at, self._generation = counts, time.monotonic(), generation
        return counts


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool
    hidden: bool  # narrowed out by the list's filter box (never when checked)


@dataclass(frozen=True)
class OptionGroup:
    label: str
    options: tuple[Option, ...]

    @property
    def hidden(self) -> bool:
        return all(option.hidden for option in self.options)


def fold(text: str) -> str:
    """Text as the filter box compares it: no accents, no case."""
    return french_key(text)[0]


def _option(value: str, label: str, chosen: Iterable[str], typed: str) -> Option:
    checked = value in chosen
    return Option(value, label, checked, bool(typed) and not checked and typed not in fold(label))


def language_options(
    filters: DirectoryFilters, counts: Counts, morocco: str, others: str
) -> tuple[OptionGroup, ...]:
    """The languages some listed talent speaks, plus the chosen ones: Morocco's first."""
    offered = display_order({c for c, n in counts.languages.items() if n} | set(filters.languages))
    typed = fold(filters.language_filter)
    groups = (
        (morocco, [c for c in offered if c in MOROCCAN]),
        (others, [c for c in offered if c not in MOROCCAN]),
    )
    return tuple(
        OptionGroup(
            label, tuple(_option(c, language_label(c), filters.languages, typed) for c in codes)
        )
        for label, codes in groups
        if codes
    )


def skill_options(form: DirectoryForm, counts: Counts) -> tuple[OptionGroup, ...]:
    """The catalogue's skills some listed talent has, plus the chosen ones, by category."""
    chosen = form.filters.skills
    typed = fold(form.filters.skill_filter)
    groups = []
    for group in form.skill_groups:
        options = tuple(
            _option(skill.value, skill.label, chosen, typed)
            for skill in group.skills
            if counts.skills.get(skill.value) or skill.value in chosen
        )
        if options:
            groups.append(OptionGroup(group.label, options))
    return tuple(groups)
