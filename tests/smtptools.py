"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 with STARTTLS and AUTH.

The certificate is made per test session by trustme (a throwaway CA); the client trusts
it through ``rapport_smtp_cafile``, exactly as an organisation's own CA would be set.
The handler records every accepted message as bytes, can refuse given recipients and
can start answering DATA with an error after N accepted messages.

Every send builds the e-mail edition with ``python -m sphinx`` in a process of its own;
the fixture :func:`sphinx_in_process` runs that command line in the test process instead
(:mod:`sphinxrun`: the process is not what the sending tests test, and starting it is
most of a send's time).
"""

from __future__ import annotations

import logging
import shutil
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sphinxrun import in_process

# aiosmtpd warns on every login that a Session attribute it sets itself is deprecated
logging.getLogger("mail.log").setLevel(logging.ERROR)

USER = "utskick"
PASSWORD = "hemligt-testlosen-7351"
ROOTS = Path(__file__).resolve().parent / "roots"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """The aiosmtpd handler: what was accepted, and how to misbehave."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    fail_after: int | None = None
    fail_reply: str = "451 4.3.0 Tillfälligt fel, försök senare"
    attempts: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address in self.refuse:
            return "550 5.1.1 Mottagaren finns inte"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.attempts += 1
        if self.fail_after is not None and len(self.messages) >= self.fail_after:
            return self.fail_reply
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Meddelandet mottaget"


def _authenticate(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    # handled=False: aiosmtpd then answers 535 itself (by default it assumes the hook did)
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """Started and stopped by a fixture; ``recorder`` is the handler."""

    def __init__(
        self, cafile: Path, ca: trustme.CA, recorder: Recorder | None = None, implicit_tls: bool = False
    ) -> None:
        self.recorder = recorder or Recorder()
        self.port = free_port()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self.cafile = cafile
        # implicit TLS (port 465 style): the whole connection is encrypted from the start
        # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; an implicit-TLS socket is
        # encrypted before the first byte, so AUTH is allowed there without that check
        tls: dict = (
            {"ssl_context": context, "auth_require_tls": False}
            if implicit_tls
            else {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
        )
        self.controller = Controller(
            self.recorder,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=_authenticate,
            data_size_limit=0,
            **tls,
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def make_ca(folder: Path) -> tuple[trustme.CA, Path]:
    ca = trustme.CA()
    cafile = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return ca, cafile


def copy_project(target: Path) -> Path:
    """A private copy of tests/roots/test-email (each test sends and logs on its own)."""
    project = target / "projekt"
    shutil.copytree(ROOTS / "test-email", project)
    return project


@pytest.fixture
def sphinx_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The e-mail edition is built in the test process (:func:`sphinxrun.run_sphinx`)."""
    from rapport.email import send

    in_process(monkeypatch, send)


def environment(monkeypatch, server: SmtpServer, security: str = "starttls") -> None:  # noqa: ANN001
    """What the test project's conf.py reads, and the password, in the environment."""
    monkeypatch.setenv("TEST_SMTP_PORT", str(server.port))
    monkeypatch.setenv("TEST_SMTP_CAFILE", str(server.cafile))
    monkeypatch.setenv("TEST_SMTP_SECURITY", security)
    monkeypatch.setenv("RAPPORT_SMTP_LOSENORD", PASSWORD)
    monkeypatch.delenv("RAPPORT_BASE_URL", raising=False)


# -- the fixtures the sending tests share (imported by name into their modules) ---------------


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A throwaway certificate authority per test module."""
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def server(ca, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:  # noqa: ANN001
    """A real SMTP server (STARTTLS and AUTH) on 127.0.0.1, and the test project's settings for it."""
    authority, cafile = ca
    smtp = SmtpServer(cafile, authority)
    smtp.start()
    environment(monkeypatch, smtp)
    yield smtp
    smtp.stop()
