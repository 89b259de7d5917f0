"""Country and skill names per language come from one helper each (``Country.name``,
``Skill.name``, ``SkillCategory.name``): the same rule on a row and in a query."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

import talento.models  # noqa: F401  (configures every mapper)
from talento.geo.models import Country
from talento.profiles.models import Skill, SkillCategory

TALENTO = Path(__file__).resolve().parents[2] / "talento"


@pytest.mark.parametrize(
    ("lang", "column", "value"),
    [("fr", "name_fr", "Maroc"), ("en", "name_en", "Morocco"), ("ar", "name_ar", "المغرب")]
    + [("es", "name_fr", "Maroc"), ("", "name_fr", "Maroc")],
)
def test_country_name_on_a_row_and_in_a_query(lang, column, value):
    country = Country(iso2="MA", name_fr="Maroc", name_en="Morocco", name_ar="المغرب")
    assert country.name(lang) == value
    assert Country.name(lang) is getattr(Country, column)
    assert f"countries.{column}" in str(select(Country.name(lang)))


@pytest.mark.parametrize(
    ("lang", "column"), [("fr", "name_fr"), ("en", "name_en"), ("ar", "name_fr")]
)
def test_skill_and_category_names_on_a_row_and_in_a_query(lang, column):
    skill = Skill(slug="actor", name_fr="Acteur / actrice", name_en="Actor / actress")
    category = SkillCategory(slug="stage", name_fr="Scène", name_en="Stage")
    assert skill.name(lang) == getattr(skill, column)
    assert category.name(lang) == getattr(category, column)
    assert Skill.name(lang) is getattr(Skill, column)
    assert SkillCategory.name(lang) is getattr(SkillCategory, column)


def test_no_module_picks_a_name_column_by_language_itself():
    """The rule lives in geo/models.py and profiles/models.py only."""
    copies = re.compile(r"name_en if|name_fr if|\"en\": \w+\.name_en|\"ar\": \w+\.name_ar")
    found = [
        f"{path.relative_to(TALENTO)}:{number}"
        for path in TALENTO.rglob("*")
        if path.suffix in {".py", ".html"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if copies.search(line)
    ]
    assert found == []
