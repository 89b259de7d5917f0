"""The dashboard's figures are kept a short time per process, and the page says how old."""

from __future__ import annotations

from talento.admin.views import DASHBOARD_TTL
from talento.extensions import db
from tests.admin.test_dashboard import admin_client, count_statements


def _age_back(app, seconds: float) -> None:
    """Make every kept figure `seconds` older (as if that time had passed)."""
    kept = app.extensions["talento.dashboard_figures"]
    for key, (figures, at, generation) in list(kept.items()):
        kept[key] = (figures, at - seconds, generation)


def _statements(app, client) -> tuple[int, str]:
    with app.app_context(), count_statements(db.engine) as counter:
        response = client.get("/admin")
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_kept_figures_are_not_computed_again_and_say_their_age(app, client, make_user):
    admin_client(client, make_user)
    computed, page = _statements(app, client)
    assert "Chiffres à jour." in page
    _age_back(app, 30)
    kept, page = _statements(app, client)
    assert kept < computed
    assert "Chiffres mis à jour il y a 30 s." in page


def test_figures_older_than_the_ttl_are_computed_again(app, client, make_user):
    admin_client(client, make_user)
    computed, _ = _statements(app, client)
    _age_back(app, DASHBOARD_TTL + 1)
    again, page = _statements(app, client)
    assert again == computed
    assert "Chiffres à jour." in page


def test_a_new_talent_in_this_process_shows_at_once(app, client, make_user, make_talent):
    admin_client(client, make_user)
    make_talent()
    _, before = _statements(app, client)
    _age_back(app, 5)
    make_talent()  # flushes a user and a profile: the kept figures are dropped
    _, after = _statements(app, client)
    assert "Chiffres à jour." in after
    assert before != after
