"""The request pipeline: app assembly (app.py), the app-wide gates in their order (gates.py),
template context (context.py), security headers (security.py) and error pages (errors.py)."""

from talento.web.app import TrustedProxyFix, build_app

__all__ = ["TrustedProxyFix", "build_app"]
