"""The e-mail edition of a report: built by Sphinx, sent by ``rapport skicka``.

``builder`` (writing phase) turns each published report into ``<docname>.eml``;
``message`` and ``text`` make its HTML and plain-text parts; ``lists`` reads the
distribution lists and ``send`` is the ``rapport skicka`` command (outside Sphinx).
Settings, all in ``conf.py`` (the password only in the environment)::

    rapport_email_from = "Koncernstab kommunikation <rapport@example.se>"
    rapport_email_attach_pdf = False
    rapport_email_public_base_url = ""  # public lists' links; "" = html_baseurl
    rapport_email_lists = "utskick/listor.txt"
    rapport_email_log = "utskick/skicklogg.jsonl"
    rapport_smtp_host = ""            # e.g. "smtp.example.se"
    rapport_smtp_port = 587
    rapport_smtp_security = "starttls"  # or "tls" (port 465) or "none"
    rapport_smtp_user = ""            # password: the environment variable RAPPORT_SMTP_LOSENORD
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: defaults of the settings, also read by ``rapport skicka`` when conf.py leaves one out
DEFAULTS: dict[str, object] = {
    "rapport_email_from": "",
    "rapport_email_attach_pdf": False,
    "rapport_email_public_base_url": "",
    "rapport_email_lists": "utskick/listor.txt",
    "rapport_email_log": "utskick/skicklogg.jsonl",
    "rapport_smtp_host": "",
    "rapport_smtp_port": 587,
    "rapport_smtp_security": "starttls",
    "rapport_smtp_user": "",
    "rapport_smtp_cafile": "",
    "rapport_smtp_timeout": 30,
}


def setup(app: Sphinx) -> None:
    # here, not at the top: the ``rapport`` command imports rapport.email.send on every
    # start and must not pay for loading Sphinx's writers it does not use
    from .builder import RapportEmailBuilder

    for name, default in DEFAULTS.items():
        # "" rebuild: none of them changes what a page says, only the messages
        types = [bool] if isinstance(default, bool) else [int, float] if isinstance(default, int) else [type(default)]
        app.add_config_value(name, default, "", types=types)
    app.add_builder(RapportEmailBuilder)
