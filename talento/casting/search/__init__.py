"""The CINEMA casting search: criteria, query, facets, page (casting staff only)."""
