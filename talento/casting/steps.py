"""The steps of the casting registration and where each one is served.

A casting profile records the next step to fill (``casting_profiles.registration_step``), so a
half-filled registration resumes where its owner left it (``/cinema/register`` redirects to
:func:`step_endpoint` of that step). Every step's view calls :func:`advance` once its data is
saved; a step can be revisited (from the summary, or « Précédent ») without moving the
profile backwards.
"""

from __future__ import annotations

from talento.casting.models import DONE, REGISTRATION_STEPS, CastingProfile

#: Endpoint serving each step. "photos" lives with the media views (uploads); the others with
#: the registration views.
STEP_ENDPOINTS: dict[str, str] = {
    **{step: "casting_registration.step" for step in REGISTRATION_STEPS},
    "photos": "casting_media.register_photos",
}


def step_endpoint(step: str) -> tuple[str, dict[str, str]]:
    """(endpoint, url values) of a step's page, for ``url_for(endpoint, **values)``."""
    endpoint = STEP_ENDPOINTS[step]
    return endpoint, ({"step": step} if endpoint == "casting_registration.step" else {})


def step_number(step: str) -> int:
    """1-based position of `step` (for « Étape 3 sur 10 »)."""
    return REGISTRATION_STEPS.index(step) + 1


def next_step(step: str) -> str:
    """The step after `step`, or DONE after the last one."""
    index = REGISTRATION_STEPS.index(step)
    return REGISTRATION_STEPS[index + 1] if index + 1 < len(REGISTRATION_STEPS) else DONE


def reached(profile: CastingProfile, step: str) -> bool:
    """True when the profile may open `step`: it is the next one to fill or an earlier one."""
    if profile.registration_step == DONE:
        return True
    return REGISTRATION_STEPS.index(step) <= REGISTRATION_STEPS.index(profile.registration_step)


def advance(profile: CastingProfile, completed: str) -> str:
    """Record that `completed` is filled: the profile's next step moves forward (never back).
    Returns the step to show next (DONE once the last one is filled). The caller commits and,
    on DONE, completes the profile (CINEMA code, completed_at) through the registration
    service."""
    following = next_step(completed)
    current = profile.registration_step
    if current != DONE and REGISTRATION_STEPS.index(completed) >= REGISTRATION_STEPS.index(current):
        profile.registration_step = following
    return following if profile.registration_step != DONE else DONE
