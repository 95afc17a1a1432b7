"""The e-mail edition of a report: built by Sphinx, sent by ``rapport skicka``.

``builder`` (writing phase) turns each published report into ``<docname>.eml``;
``message`` and ``text`` make its HTML and plain-text parts; ``lists`` reads the
distribution lists and ``send`` is the ``rapport skicka`` command (outside Sphinx).

Its settings (the sender, the SMTP server, the lists, the send log) are fields of
:class:`rapport.config.RapportConfig` like every other setting, set in ``rapport.toml``
(the ``[epost]`` and ``[smtp]`` tables) and validated once; the builder reads them
through ``rapport.config.settings``, ``rapport skicka`` through
``rapport.config.settings_from``. The password is never a setting: the environment
variable ``RAPPORT_SMTP_LOSENORD`` on the command line, asked for by the desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    # here, not at the top: the ``rapport`` command imports rapport.email.send on every
    # start and must not pay for loading Sphinx's writers it does not use
    from .builder import RapportEmailBuilder

    app.add_builder(RapportEmailBuilder)
