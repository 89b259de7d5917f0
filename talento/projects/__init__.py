"""Productions and the casting workflow: production companies, projects, roles (breakdowns),
shortlists, client review links, availability checks, bookings and badges (DESIGN layout:
above casting, below attendance)."""
