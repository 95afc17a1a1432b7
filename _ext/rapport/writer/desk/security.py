"""Who may talk to the desk: loopback, a token, the right Host, the desk's own Origin.

Runs in the desk's web server (``rapport skrivbord``), around every request. The desk
can send e-mail as the writer and change the project's files, so:

* it listens on loopback only (:func:`check_loopback` refuses anything else);
* every request carries a random token: the start URL has it once (as Jupyter's
  does), the server answers with an HttpOnly ``SameSite=Strict`` cookie and sends the
  browser on to the same page without it; a request without the cookie is refused;
* the ``Host`` header must be the desk's own address, so a web page whose name points
  at 127.0.0.1 (DNS rebinding) gets nothing;
* every write (any method but GET and HEAD) must come from the desk's own ``Origin``
  and carry the page's CSRF token in a header;
* every answer has a strict Content-Security-Policy (scripts only from the desk, the
  preview only from its own origin) and is never cached; the token never leaves in a
  ``Referer``.

The preview (:mod:`rapport.writer.desk.preview`) is served from another port, so report
content is another origin and can never read the desk or pass these checks.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from rapport.command import EXIT_USAGE, CommandError

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK = ("127.0.0.1", "::1", "localhost")
SAFE_METHODS = ("GET", "HEAD")
CSRF_HEADER = "x-csrf-token"


def check_loopback(host: str) -> str:
    """``host`` if it is this computer only; anything else is refused."""
    if host not in LOOPBACK:
        raise CommandError(
            f"Skrivbordet lyssnar bara på den här datorn (127.0.0.1), inte på ”{host}”: "
            "det kan skicka e-post i ditt namn och ändra projektets filer",
            EXIT_USAGE,
        )
    return host


@dataclass
class Keys:
    """The session's secrets, new at every start of the desk."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    preview_origin: str = ""

    @property
    def cookie(self) -> str:
        # cookies are shared by every port of a host: the name says which desk it is for
        return f"rapport_skrivbord_{self.port}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hosts(self) -> tuple[str, ...]:
        return (f"127.0.0.1:{self.port}", f"localhost:{self.port}", f"[::1]:{self.port}")

    @property
    def origins(self) -> tuple[str, ...]:
        return tuple(f"http://{host}" for host in self.hosts)

    def start_url(self, path: str = "/") -> str:
        return f"{self.origin}{path}?token={self.token}"


def csp(preview_origin: str) -> str:
    frame = preview_origin or "'none'"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self'; frame-src {frame}; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


REFUSED = {
    "host": "Adressen stämmer inte med skrivbordets (fel Host). Öppna skrivbordet med adressen som rapport skrivbord visade.",
    "token": "Skrivbordet känner inte igen den här webbläsaren. Öppna skrivbordet med adressen som rapport skrivbord "
    "visade (den med token=), eller starta det igen.",
    "origin": "Ändringar tas bara emot från skrivbordets egna sidor.",
    "csrf": "Ändringen saknar skrivbordets kontrollkod; ladda om sidan och försök igen.",
}


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


class Guard:
    """The ASGI middleware that enforces everything above, before any route runs."""

    def __init__(self, app: ASGIApp, keys: Keys, on_refused: Callable[[str, str], None] | None = None) -> None:
        self.app = app
        self.keys = keys
        self.on_refused = on_refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        method = scope["method"]
        if headers.get("host", "") not in self.keys.hosts:
            await self._refuse(send, scope, "host", 403)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.pop("token", None)
        if given is not None and method in SAFE_METHODS:
            if not hmac.compare_digest(given, self.keys.token):
                await self._refuse(send, scope, "token", 403)
                return
            # the token once in the URL, then the cookie: the address bar and history lose it
            location = scope["path"] + (f"?{urlencode(query)}" if query else "")
            cookie = f"{self.keys.cookie}={self.keys.token}; HttpOnly; SameSite=Strict; Path=/"
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [
                        (b"location", location.encode("latin-1")),
                        (b"set-cookie", cookie.encode("latin-1")),
                        (b"cache-control", b"no-store"),
                        (b"referrer-policy", b"no-referrer"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is no token
            cookies = SimpleCookie()
        morsel = cookies.get(self.keys.cookie)
        if morsel is None or not hmac.compare_digest(morsel.value, self.keys.token):
            await self._refuse(send, scope, "token", 403)
            return
        if method not in SAFE_METHODS:
            if headers.get("origin", "") not in self.keys.origins:
                await self._refuse(send, scope, "origin", 403)
                return
            if not hmac.compare_digest(headers.get(CSRF_HEADER, ""), self.keys.csrf):
                await self._refuse(send, scope, "csrf", 403)
                return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"content-security-policy", csp(self.keys.preview_origin).encode("latin-1")),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-store"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, send: Send, scope: Scope, why: str, status: int) -> None:
        if self.on_refused is not None:
            self.on_refused(why, f"{scope['method']} {scope['path']}")
        body = REFUSED[why].encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"cache-control", b"no-store"),
                    (b"content-security-policy", b"default-src 'none'"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
