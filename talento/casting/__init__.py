"""CINEMA: casting profiles, public casting registration, comp cards, casting search."""

from talento.casting import lifecycle as _lifecycle  # noqa: F401  (deletions follow accounts)
