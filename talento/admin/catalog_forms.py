"""Forms of the skills catalogue pages (admin/catalog_views.py)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from talento.admin.catalogs import NAME_MAX
from talento.i18n import lazy_gettext as _l

_CONFIRM = _l("Cochez la case pour confirmer.")

# The `type: ignore[call-arg]` below: SelectField's invalid_choice_message is new in WTForms
# 3.3 and the types-WTForms stubs still describe 3.2 (warn_unused_ignores will say when they
# catch up).


class CategoryForm(FlaskForm):
    name_fr = StringField(
        _l("Nom en français"),
        [
            DataRequired(_l("Indiquez le nom en français.")),
            Length(max=NAME_MAX, message=_l("%(max)d caractères au maximum.")),
        ],
        render_kw={"maxlength": NAME_MAX, "autocomplete": "off"},
    )
    name_en = StringField(
        _l("Nom en anglais"),
        [Optional(), Length(max=NAME_MAX, message=_l("%(max)d caractères au maximum."))],
        render_kw={"maxlength": NAME_MAX, "autocomplete": "off", "lang": "en"},
    )


class SkillForm(CategoryForm):
    category = SelectField(  # type: ignore[call-arg]
        _l("Catégorie"),
        [DataRequired(_l("Choisissez une catégorie."))],
        default="",
        invalid_choice_message=_l("Choisissez une catégorie de la liste."),
    )


class MergeForm(FlaskForm):
    target = SelectField(  # type: ignore[call-arg]
        _l("Fusionner dans"),
        [DataRequired(_l("Choisissez l'élément qui reste."))],
        default="",
        invalid_choice_message=_l("Choisissez un élément de la liste."),
    )
    confirm = BooleanField(
        _l("Je confirme la fusion ; elle est définitive."), [DataRequired(_CONFIRM)]
    )


class DeleteSkillForm(FlaskForm):
    #: Talents who have the skill; set by the view (0: no choice to make).
    usage = 0
    outcome = RadioField(
        _l("Que deviennent les talents qui ont cette compétence ?"),
        choices=[
            ("replace", _l("Leur donner une autre compétence à la place")),
            ("remove", _l("Leur retirer cette compétence, sans remplacement")),
        ],
        validate_choice=False,
    )
    replacement = SelectField(  # type: ignore[call-arg]
        _l("Compétence de remplacement"),
        default="",
        invalid_choice_message=_l("Choisissez une compétence de la liste."),
    )
    confirm = BooleanField(
        _l("Je confirme la suppression ; elle est définitive."), [DataRequired(_CONFIRM)]
    )

    def validate_outcome(self, field) -> None:
        if self.usage and field.data not in ("replace", "remove"):
            raise ValidationError(_l("Choisissez ce que deviennent ces talents."))

    def validate_replacement(self, field) -> None:
        if self.usage and self.outcome.data == "replace" and not field.data:
            raise ValidationError(_l("Choisissez la compétence de remplacement."))


class DeleteCategoryForm(FlaskForm):
    #: Skills in the category; set by the view (0: nothing to move).
    skill_count = 0
    move_to = SelectField(  # type: ignore[call-arg]
        _l("Déplacer ses compétences vers"),
        default="",
        invalid_choice_message=_l("Choisissez une catégorie de la liste."),
    )
    confirm = BooleanField(
        _l("Je confirme la suppression ; elle est définitive."), [DataRequired(_CONFIRM)]
    )

    def validate_move_to(self, field) -> None:
        if self.skill_count and not field.data:
            raise ValidationError(_l("Choisissez la catégorie qui recevra ses compétences."))


# -- helpers ------------------------------------------------------------------------------------
