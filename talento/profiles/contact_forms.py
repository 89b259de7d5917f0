"""The « Contacter » form. Its rules (lengths, one-line names, a plain address) are the
service's (talento.profiles.contact.checked), so the form only asks for the fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired

from talento.i18n import lazy_gettext as _l
from talento.profiles.contact import EMAIL_MAX, MESSAGE_MAX, NAME_MAX, ORGANISATION_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ContactForm(FlaskForm):
    name = StringField(
        _l("Votre nom"),
        [DataRequired(_l("Indiquez votre nom."))],
        filters=[_strip],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
    )
    organisation = StringField(
        _l("Organisation (facultatif)"),
        filters=[_strip],
        render_kw={"autocomplete": "organization", "maxlength": ORGANISATION_MAX},
    )
    email = EmailField(
        _l("Votre adresse e-mail"),
        [DataRequired(_l("Indiquez votre adresse e-mail : le talent vous répondra à celle-ci."))],
        filters=[_strip],
        render_kw={
            "autocomplete": "email",
            "autocapitalize": "none",
            "spellcheck": "false",
            "maxlength": EMAIL_MAX,
        },
    )
    message = TextAreaField(
        _l("Votre message"),
        [DataRequired(_l("Écrivez votre message."))],
        render_kw={"rows": 8, "maxlength": MESSAGE_MAX},
    )
    #: The honeypot: hidden from people (CSS, aria-hidden, out of the tab order), filled by
    #: robots that fill every field. Its label tells anyone who still meets it to leave it empty.
    website = StringField(
        _l("Ne remplissez pas ce champ"),
        filters=[lambda value: value or ""],
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )
    #: When the form was shown, signed (talento.profiles.contact_traps.form_stamp).
    stamp = HiddenField()
