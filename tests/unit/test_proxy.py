"""X-Forwarded-* headers are trusted only from the proxy (nginx on loopback)."""

from flask import Flask, request

from talento.web import TrustedProxyFix


def _app():
    app = Flask(__name__)

    @app.get("/")
    def where():
        return f"{request.remote_addr} {request.scheme}"

    app.wsgi_app = TrustedProxyFix(app.wsgi_app, 1, ("127.0.0.1",))
    return app.test_client()


HEADERS = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def test_headers_from_nginx_are_honoured():
    page = _app().get("/", headers=HEADERS, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert page.get_data(as_text=True) == "203.0.113.9 https"


def test_headers_from_anyone_else_are_ignored():
    page = _app().get("/", headers=HEADERS, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert page.get_data(as_text=True) == "198.51.100.7 http"
