"""The one refusal family: a single refusal, several at once, mapped onto a form."""

import pytest

from talento.refusals import Refusals, Refused, apply_to_form


def test_refusals_flatten_and_keep_the_worst_status():
    both = Refusals([Refused("email", "pris", status=409), Refused("phone", "invalide")])
    assert [(r.field, r.message) for r in both] == [("email", "pris"), ("phone", "invalide")]
    assert both.status == 409
    with pytest.raises(ValueError, match="at least one"):
        Refusals([])


def test_apply_to_form_writes_on_fields_and_on_the_form(app):
    from talento.accounts.forms import LoginForm

    with app.test_request_context():
        form = LoginForm(meta={"csrf": False})
        status = apply_to_form(form, Refusals([Refused("password", "non"), Refused(None, "tout")]))
        assert status == 422
        assert "non" in form.password.errors
        assert form.form_errors == ["tout"]
