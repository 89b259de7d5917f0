"""CINEMA: casting profiles, public casting registration, comp cards, casting search."""
