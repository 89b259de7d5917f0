"""Profile forms: one set of profile fields shared by registration and profile editing.

Choices that come from the database (countries, cities, skills) are filled by the view with
`form.fill_choices(session, lang)`; the city list is that of the chosen country, so without
JavaScript choosing the country and then the city is a plain second step.

Every required field carries WTForms' ``required`` flag (so its control gets ``required`` and
the page's field macro its « * »), and every message says what to do. Residence (country,
city) comes before the phone: the phone is checked against the chosen country, and its hint
gives that country's example (``phone_hint``), or asks for the country first.

Photos may weigh ``PHOTO_MAX_MB`` (settings): a bigger one is refused here, with the other
fields' errors, before any decoding; the page keeps everything typed (files and passwords
aside). The request itself may be larger (REQUEST_MAX_MB), so such a form is always parsed.

A validated form hands its content to the services as plain data: `to_input()` (the profile),
`files_input()` (the files sent), `account_input()` (the account); the services never see the
form, and the view puts their refusals back on it (talento.refusals.apply_to_form).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
    ValidationError,
    widgets,
)
from wtforms.fields.core import Field
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import Select

from talento.accounts.forms import AcceptablePassword
from talento.accounts.password_policy import MIN_LENGTH
from talento.context import current_settings
from talento.crypto import is_unavailable
from talento.extensions import utctoday
from talento.geo.services import cities_of, country_choices
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import (
    AVAILABILITY_LABELS,
    GENDER_LABELS,
    LINK_KINDS,
    WORK_MODE_LABELS,
)
from talento.profiles.languages import (
    LANGUAGES,
    LEVEL_LABELS,
    display_order,
    language_groups,
    language_label,
)
from talento.profiles.phones import InvalidPhone, national_example, to_e164
from talento.profiles.services import (
    ENCRYPTED_FIELDS,
    AccountInput,
    ProfileFiles,
    ProfileInput,
    encrypted_values,
    skills_by_category,
)
from talento.profiles.uploads import MAX_CV_BYTES, MB, Upload, cv_too_large, photo_too_large
from talento.profiles.visibility import VISIBILITY_SENTENCES

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MIN_AGE = 16
#: The longest side, in pixels, to which the browser downscales a photo before sending it
#: (talento/static/js/photo_resize.js); the server then re-encodes it to PHOTO_MAX_SIDE.
CLIENT_PHOTO_MAX_SIDE = 1600


def phone_in_e164(value: str, country_iso2: str | None, country_name: str | None = None) -> str:
    """The number as stored (E.164), or a form error saying how to type it for the country."""
    try:
        return to_e164(value, country_iso2)
    except InvalidPhone:
        example = national_example(country_iso2) if country_iso2 else None
        if country_name and example:
            message = _(
                "Ce numéro n'est pas valide pour ce pays (%(country)s) : tapez-le comme "
                "%(example)s, ou au format international (+…).",
                country=country_name,
                example=example,
            )
        else:
            message = _(
                "Ce numéro n'est pas valide : tapez-le au format international, "
                "par exemple +212 6 50 12 34 56."
            )
        raise ValidationError(message) from None


def _file_size(storage) -> int | None:
    """Bytes of an uploaded file (werkzeug spools it: seekable); None when none was sent."""
    if not storage or not hasattr(storage, "stream"):
        return None
    stream = storage.stream
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size


class CompactSelect(Select):
    """A select without the optional ``</option>`` end tags (HTML allows it): the country
    lists (nationality, residence: 250 options each) weigh 4 KB less on the registration
    page, which must stay under 100 KB with everything it loads (DESIGN "Pages")."""

    @classmethod
    def render_option(cls, choice, **kwargs):  # type: ignore[override]  # stubs: pre-3.3 form
        option = super().render_option(choice, **kwargs)  # Markup, escaped
        return option[: -len("</option>")]  # slicing Markup keeps it Markup


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LanguageLevelsField(Field):
    #: Name prefix of each language's select (short: the page carries 90-odd of them).
    PREFIX = "lang-"

    """The languages a talent speaks and how well: one level select per language of the
    vocabulary (« — » = not spoken), posted as ``lang-<code>=<level>``. ``data`` is
    {code: level}; unknown codes and levels are ignored. Rendered by the
    ``macros/languages.html`` macro (a scrollable list, a filter box when JavaScript runs)."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            picked = {code: formdata.get(f"{self.PREFIX}{code}", "") for code in LANGUAGES}
            self.data = {code: level for code, level in picked.items() if level in LEVEL_LABELS}
        elif not isinstance(self.data, dict):
            self.data = {}

    def level_choices(self) -> list[tuple[str, str]]:
        return [("", "—")] + [(value, str(label)) for value, label in LEVEL_LABELS.items()]

    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The list as shown: the languages already chosen first (« Vos langues »), then
        those of Morocco, then every other one as a French reader sorts them."""
        chosen = dict(self.data or {})
        mine = [(code, language_label(code)) for code in display_order(chosen) if code in LANGUAGES]
        rest = language_groups(code for code in LANGUAGES if code not in chosen)
        return ([(_("Vos langues"), mine)] if mine else []) + rest


def _required(message):
    return DataRequired(message)


def _upload(storage) -> Upload | None:
    """The file of a FileField as a plain Upload; None when no file was sent."""
    if not storage:
        return None
    return Upload(storage.stream, storage.filename or "", storage.content_type)


#: Shown beside an encrypted field no configured key can read (it is displayed empty).
UNREADABLE_NOTE = _l("Donnée indisponible — saisissez une nouvelle valeur pour la remplacer.")


def _shown(value) -> str:
    """What a form field shows of a stored value: an unreadable one shows as nothing."""
    return "" if value is None or is_unavailable(value) else value


class ProfileFieldsForm(FlaskForm):
    #: Encrypted fields shown as « Donnée indisponible » (see EditProfileForm.note_unreadable).
    unreadable: frozenset[str] = frozenset()

    # identity
    first_name = StringField(
        _l("Prénom"),
        [_required(_l("Indiquez votre prénom.")), Length(max=100)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Nom"),
        [_required(_l("Indiquez votre nom.")), Length(max=100)],
        render_kw={"autocomplete": "family-name"},
    )
    gender = RadioField(
        _l("Genre"),
        choices=list(GENDER_LABELS.items()),
        validators=[InputRequired(_l("Choisissez Femme, Homme ou Non précisé."))],
    )
    date_of_birth = DateField(
        _l("Date de naissance"),
        [InputRequired(_l("Indiquez votre date de naissance."))],
        render_kw={"autocomplete": "bday"},
    )
    nationality = SelectField(
        _l("Nationalité"), [_required(_l("Choisissez votre nationalité."))], widget=CompactSelect()
    )
    # residence: before the phone, which is checked against the country
    country = SelectField(
        _l("Pays de résidence"),
        [_required(_l("Choisissez votre pays de résidence."))],
        widget=CompactSelect(),
    )
    city = SelectField(
        _l("Ville"),
        [InputRequired(_l("Choisissez votre ville dans la liste de votre pays."))],
        validate_choice=False,
    )
    # contact
    phone = TelField(
        _l("Téléphone"),
        [_required(_l("Indiquez votre numéro de téléphone.")), Length(max=30)],
        render_kw={"autocomplete": "tel"},
    )
    whatsapp = TelField(_l("WhatsApp (si différent)"), [Optional(), Length(max=30)])
    address = TextAreaField(
        _l("Adresse"),
        [Optional(), Length(max=300)],
        render_kw={"autocomplete": "street-address", "rows": 2},
    )
    # professional
    skills = SelectMultipleField(
        _l("Compétences"),
        [_required(_l("Choisissez au moins une compétence."))],
        render_kw={"size": 8},
    )
    bio = TextAreaField(_l("Présentation"), [Optional(), Length(max=2000)], render_kw={"rows": 5})
    years_experience = IntegerField(
        _l("Années d'expérience"),
        [Optional(), NumberRange(0, 80, _l("Indiquez un nombre d'années entre 0 et 80."))],
    )
    availability = SelectField(_l("Disponibilité"), choices=list(AVAILABILITY_LABELS.items()))
    work_mode = SelectField(
        _l("Mode de travail"), choices=list(WORK_MODE_LABELS.items()), default="flexible"
    )
    rate_min = IntegerField(
        _l("Tarif journalier minimum (MAD)"), [Optional(), NumberRange(0, 10_000_000)]
    )
    rate_max = IntegerField(
        _l("Tarif journalier maximum (MAD)"), [Optional(), NumberRange(0, 10_000_000)]
    )
    languages = LanguageLevelsField(_l("Langues parlées"), default=dict)
    education = TextAreaField(
        _l("Formation"), [Optional(), Length(max=1000)], render_kw={"rows": 3}
    )
    public_links = MultiCheckboxField(
        _l("Liens affichés sur mon profil public"), choices=list(LINK_KINDS.items())
    )
    # files
    photo = FileField(
        _l("Photo"),  # the limit (PHOTO_MAX_MB) is added by __init__
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    cv = FileField(
        _l("CV (PDF ou DOCX, 10 Mo maximum)"), render_kw={"accept": ".pdf,.docx,application/pdf"}
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        photo_max_mb = current_settings().photo_max_mb
        self.photo_max_bytes = photo_max_mb * MB
        self.photo.label.text = _(
            "Photo (JPEG, PNG ou WebP, %(limit)s Mo maximum)", limit=photo_max_mb
        )
        # read by photo_resize.js: the browser downscales before sending, or refuses at once
        self.photo.render_kw = {
            **(self.photo.render_kw or {}),
            "data-max-bytes": str(self.photo_max_bytes),
            "data-max-side": str(CLIENT_PHOTO_MAX_SIDE),
            "data-too-large": photo_too_large(self.photo_max_bytes).message,
        }

    def is_unreadable(self, name: str) -> bool:
        return name in self.unreadable

    def unreadable_note(self, name: str):
        """The note shown under an unreadable field (None for the others)."""
        return UNREADABLE_NOTE if name in self.unreadable else None

    def country_name(self) -> str | None:
        """The name of the chosen country of residence, as listed; None when none is."""
        chosen = (self.country.data or "").upper()
        listed = self._country_choices()
        return next((str(name) for value, name in listed if value and value == chosen), None)

    def _country_choices(self) -> list[tuple[str, object]]:
        return [(str(choice[0]), choice[1]) for choice in self.country.choices or []]

    def phone_hint(self) -> str:
        """The phone's hint: the chosen country's example, or to choose the country first."""
        name, iso2 = self.country_name(), (self.country.data or "").upper()
        example = national_example(iso2) if name else None
        if name and example:
            return _(
                "Numéro de votre pays de résidence (%(country)s), par exemple %(example)s, ou "
                "au format international (+…).",
                country=name,
                example=example,
            )
        return self._phone_hint_without_country()

    @staticmethod
    def _phone_hint_without_country() -> str:
        return _(
            "Choisissez d'abord votre pays de résidence : le numéro est vérifié pour ce pays. "
            "Un numéro au format international (+…) convient toujours."
        )

    def phone_hint_data(self) -> dict[str, str]:
        """Attributes of the phone control with which register.js rewrites its hint when the
        country changes: every listed country's example, the hint with {country} and
        {example} to fill in, and the hint without a country."""
        examples = {}
        for value, _name in self._country_choices():
            example = national_example(value) if value else None
            if example:
                examples[value] = example
        template = _(
            "Numéro de votre pays de résidence (%(country)s), par exemple %(example)s, ou "
            "au format international (+…).",
            country="{country}",
            example="{example}",
        )
        return {
            # « MA=06 50 12 34 56|SN=70 123 45 67 »: no quotes to escape in the attribute
            # (JSON there cost 5 bytes per quote: a quarter of the registration page's HTML).
            "data-examples": "|".join(f"{iso2}={example}" for iso2, example in examples.items()),
            "data-hint-country": template,
            "data-hint-none": self._phone_hint_without_country(),
        }

    def wants_cities(self) -> bool:
        """The « Afficher les villes » button (no JavaScript): show the chosen country's cities
        and hints again, checking nothing."""
        from flask import request

        return request.method == "POST" and "show_cities" in request.form

    def set_choices(self, countries, cities, skills_by_category) -> None:
        """Fill database-backed choices: countries [(iso2, name)], cities [(id, name)], skills."""
        placeholder = [("", _l("— Choisir —"))]
        self.nationality.choices = placeholder + list(countries)
        self.country.choices = placeholder + list(countries)
        self.city.choices = [("", _l("— Choisir —"))] + [(str(i), n) for i, n in cities]
        self.skills.choices = {
            category: [(slug, name) for slug, name in entries]
            for category, entries in skills_by_category
        }

    def fill_choices(self, session: Session, lang: str) -> None:
        """Fill the database-backed choices; the cities are those of the chosen country."""
        country = (self.country.data or "").upper()
        cities = [(c.id, c.name) for c in cities_of(session, country)] if country else []
        self.set_choices(country_choices(session, lang), cities, skills_by_category(session, lang))

    def to_input(self) -> ProfileInput:
        """The validated profile fields as the services take them."""
        first_name, last_name = self.first_name.data, self.last_name.data
        date_of_birth, phone = self.date_of_birth.data, self.phone.data
        # DataRequired / InputRequired: a validated form has them
        assert first_name is not None
        assert last_name is not None
        assert date_of_birth is not None
        assert phone is not None
        return ProfileInput(
            first_name=first_name,
            last_name=last_name,
            gender=self.gender.data,
            date_of_birth=date_of_birth,
            nationality_iso2=self.nationality.data,
            phone=phone,
            whatsapp=self.whatsapp.data or None,
            address=self.address.data,
            country_iso2=self.country.data,
            city_id=int(self.city.data),
            skills=list(self.skills.data or []),
            bio=self.bio.data,
            years_experience=self.years_experience.data,
            availability=self.availability.data,
            work_mode=self.work_mode.data,
            rate_min=self.rate_min.data,
            rate_max=self.rate_max.data,
            languages=dict(self.languages.data or {}),
            education=self.education.data,
            links=self.links(),
            public_links=list(self.public_links.data or []),
        )

    def files_input(self) -> ProfileFiles:
        return ProfileFiles(
            photo=_upload(self.photo.data),
            cv=_upload(self.cv.data),
            photo_max_bytes=self.photo_max_bytes,
        )

    def link_fields(self):
        return [self[f"link_{kind}"] for kind in LINK_KINDS]

    def validate_date_of_birth(self, field) -> None:
        if field.data is None:
            return
        today = utctoday()
        age = (
            today.year
            - field.data.year
            - ((today.month, today.day) < (field.data.month, field.data.day))
        )
        if age < MIN_AGE:
            raise ValidationError(_l("Il faut avoir au moins 16 ans pour s'inscrire."))
        if age > 110:
            raise ValidationError(_l("Vérifiez l'année de naissance."))

    def _phone(self, field) -> None:
        if field.data:
            field.data = phone_in_e164(field.data, self.country.data or None, self.country_name())

    def validate_phone(self, field) -> None:
        self._phone(field)

    def validate_whatsapp(self, field) -> None:
        self._phone(field)

    def validate_rate_max(self, field) -> None:
        minimum = self.rate_min.data
        if field.data is not None and minimum is not None and field.data < minimum:
            raise ValidationError(_l("Le maximum doit être supérieur ou égal au minimum."))

    def validate_city(self, field) -> None:
        valid = {value for value, _ in field.choices if value}
        if not field.data or field.data not in valid:
            raise ValidationError(_l("Choisissez votre ville dans la liste de votre pays."))

    def validate_photo(self, field) -> None:
        size = _file_size(field.data)
        if size is not None and size > self.photo_max_bytes:
            raise ValidationError(photo_too_large(self.photo_max_bytes).message)

    def validate_cv(self, field) -> None:
        size = _file_size(field.data)
        if size is not None and size > MAX_CV_BYTES:
            raise ValidationError(cv_too_large().message)

    def links(self) -> dict[str, str]:
        return {
            kind: self[f"link_{kind}"].data.strip()
            for kind in LINK_KINDS
            if self[f"link_{kind}"].data and self[f"link_{kind}"].data.strip()
        }


def _validate_link(form, field) -> None:
    if field.data and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", field.data.strip(), re.I):
        raise ValidationError(
            _l("Collez l'adresse complète de la page, qui commence par https://.")
        )


for _kind, _label in LINK_KINDS.items():
    setattr(
        ProfileFieldsForm,
        f"link_{_kind}",
        URLField(
            _label,
            [Optional(), Length(max=300), _validate_link],
            render_kw={"placeholder": "https://"},
        ),
    )


class NewAccountFields:
    """The e-mail and password of a new account, shared by the talent registration and the
    casting registration's first page (a mixin: WTForms collects fields from every base)."""

    email = EmailField(
        _l("E-mail"),
        [_required(_l("Indiquez votre adresse e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Mot de passe (%(n)d caractères minimum)", n=MIN_LENGTH),
        [
            _required(_l("Choisissez un mot de passe.")),
            AcceptablePassword(
                lambda form: (form.email.data, (form.first_name.data, form.last_name.data))
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        [_required(_l("Tapez le même mot de passe une seconde fois."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_email(self, field) -> None:
        field.data = (field.data or "").strip()
        if not EMAIL_RE.match(field.data):
            raise ValidationError(
                _l("Vérifiez l'adresse e-mail : elle doit ressembler à nom@exemple.ma.")
            )

    def validate_password_confirm(self, field) -> None:
        if field.data != self.password.data:
            raise ValidationError(
                _l("Les deux mots de passe sont différents : tapez le même dans les deux champs.")
            )


class RegistrationForm(NewAccountFields, ProfileFieldsForm):
    #: Who sees the profile; the consent text (profiles/register.html) refers to this choice.
    visibility = RadioField(
        _l("Visibilité de mon profil"),
        choices=list(VISIBILITY_SENTENCES.items()),
        default="public",
        validate_choice=False,  # checked below: a form sent without it means the default
    )
    consent = BooleanField(
        _l(
            "J'accepte que Talento traite mes données personnelles comme décrit ci-dessus, avec "
            "la visibilité et les liens publics que j'ai choisis."
        ),
        [
            DataRequired(
                _l(
                    "Cochez cette case pour accepter : sans votre accord, le profil ne "
                    "peut pas être créé."
                )
            )
        ],
    )

    def validate_visibility(self, field) -> None:
        if not field.data:
            field.data = "public"
        elif field.data not in VISIBILITY_SENTENCES:
            raise ValidationError(_l("Choisissez qui peut voir votre profil."))

    def account_input(self, language: str) -> AccountInput:
        """The new account of the person registering, who writes in ``language``."""
        assert self.email.data is not None  # DataRequired: a validated form has it
        return AccountInput(
            email=self.email.data,
            password=self.password.data,
            consent=bool(self.consent.data),
            language=language,
            visibility=self.visibility.data,
        )


class EditProfileForm(ProfileFieldsForm):
    """Editing stored values. An encrypted value no key can read is shown empty with a note,
    and left as stored unless a new value is typed (or its erasure ticked): see
    :meth:`note_unreadable`, called by the view before validating."""

    remove_photo = BooleanField(_l("Supprimer ma photo"))
    remove_cv = BooleanField(_l("Supprimer mon CV"))
    #: The fields shown as unreadable when the page was displayed (comma-separated names):
    #: left empty, they stay as stored even if the key came back meanwhile.
    not_shown = HiddenField()
    erase_whatsapp = BooleanField(_l("Effacer ce numéro illisible"))
    erase_address = BooleanField(_l("Effacer cette adresse illisible"))
    erase_links = BooleanField(_l("Effacer ces liens illisibles"))
    #: The unreadable fields that may be erased (a talent's phone may only be replaced).
    ERASABLE = ("whatsapp", "address", "links")

    def note_unreadable(self, user, profile) -> None:
        """Find the encrypted values no key reads, on GET and POST alike: they are not required
        (the phone of a talent is) and an empty field leaves them as stored."""
        stored = encrypted_values(user, profile)
        unreadable = {name for name, value in stored.items() if is_unavailable(value)}
        if self.is_submitted():  # shown unreadable then: still kept if something is stored
            named = {n.strip() for n in (self.not_shown.data or "").split(",")}
            unreadable |= {n for n in ENCRYPTED_FIELDS if n in named and stored[n] is not None}
        self.unreadable = frozenset(unreadable)
        self.not_shown.data = ",".join(n for n in ENCRYPTED_FIELDS if n in unreadable)
        if "phone" in self.unreadable:
            self.phone.validators = [Optional(), Length(max=30)]
            self.phone.flags.required = False

    def to_input(self) -> ProfileInput:
        erase = frozenset(
            name for name in self.ERASABLE if name in self.unreadable and self[f"erase_{name}"].data
        )
        return replace(super().to_input(), not_shown=self.unreadable, erase=erase)

    def files_input(self) -> ProfileFiles:
        return ProfileFiles(
            photo=_upload(self.photo.data),
            cv=_upload(self.cv.data),
            remove_photo=bool(self.remove_photo.data),
            remove_cv=bool(self.remove_cv.data),
            photo_max_bytes=self.photo_max_bytes,
        )

    def fill_from(self, user, profile) -> None:
        """Show what is stored (a GET of the edit page)."""
        self.first_name.data, self.last_name.data = user.first_name, user.last_name
        self.gender.data, self.date_of_birth.data = user.gender, user.date_of_birth
        self.nationality.data = profile.nationality.iso2 if profile.nationality else ""
        self.phone.data, self.whatsapp.data = _shown(user.phone), _shown(user.whatsapp)
        self.address.data = _shown(user.address)
        self.country.data = user.country.iso2 if user.country else ""
        self.city.data = str(user.city_id or "")
        self.skills.data = [s.slug for s in profile.skills]
        self.bio.data, self.education.data = profile.bio, profile.education
        self.years_experience.data = profile.years_experience
        self.availability.data, self.work_mode.data = profile.availability, profile.work_mode
        self.rate_min.data, self.rate_max.data = profile.rate_min, profile.rate_max
        self.languages.data = {lang.code: lang.level for lang in profile.languages}
        links = json.loads(profile.links) if _shown(profile.links) else {}
        for kind, url in links.items():
            if f"link_{kind}" in self:
                self[f"link_{kind}"].data = url
        self.public_links.data = [k for k in (profile.public_links or "").split(",") if k]
