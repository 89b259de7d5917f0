"""The re-entry form: the profile form's contact and link fields, only those lost.

It checks the shape of what was typed and hands the values over as a plain
`talento.keys.reentry.Reentry`; the service checks the values themselves.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional

from talento.accounts.models import User
from talento.keys.reentry import Reentry
from talento.profiles.choices import LINK_KINDS
from talento.profiles.forms import ProfileFieldsForm


class LostDataForm(FlaskForm):
    """The profile form's contact and link fields; `for_user` keeps only the ones lost."""

    phone = ProfileFieldsForm.phone
    whatsapp = ProfileFieldsForm.whatsapp
    address = ProfileFieldsForm.address

    @classmethod
    def for_user(cls, user: User) -> LostDataForm:
        form = cls()
        lost = set(user.lost_field_names)
        for name in ("phone", "whatsapp", "address"):
            if name not in lost:
                delattr(form, name)
        if "phone" in lost and user.profile is None:  # staff accounts: the phone is optional
            phone = form["phone"]  # the bound field (the class attribute is unbound)
            phone.validators = [Optional(), Length(max=30)]
            phone.flags.required = False
        if "links" not in lost:
            for kind in LINK_KINDS:
                delattr(form, f"link_{kind}")
        return form

    def link_fields(self):
        return [self[f"link_{kind}"] for kind in LINK_KINDS if f"link_{kind}" in self]

    def to_input(self) -> Reentry:
        def typed(name: str) -> str | None:
            return self[name].data if name in self else None

        return Reentry(
            phone=typed("phone"),
            whatsapp=typed("whatsapp"),
            address=typed("address"),
            links={f.name.removeprefix("link_"): f.data or "" for f in self.link_fields()},
        )


for _kind in LINK_KINDS:
    setattr(LostDataForm, f"link_{_kind}", getattr(ProfileFieldsForm, f"link_{_kind}"))
