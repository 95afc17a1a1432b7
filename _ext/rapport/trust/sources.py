"""Source files that Sphinx cannot read as they are: wrong encoding, far too large.

Runs while documents are read. Sphinx 9 reads every source with strict decoding
(``Path.read_text(encoding=source_encoding)`` in ``Builder.read_doc``), so a single report
saved as Latin-1 or Windows-1252 (a file pasted from an old Word export) ends the whole
build with a ``UnicodeDecodeError`` traceback. Instead:

``env-before-read-docs``
    the environment's input encoding becomes :data:`CODEC`, UTF-8 (with an optional BOM,
    like Sphinx's default ``utf-8-sig``) that replaces undecodable bytes with U+FFFD
    instead of raising. Only the environment's docutils settings change, not
    ``source_encoding`` in the configuration, so Sphinx's own check of that value and
    its "config changed, re-read everything" logic are not involved.
``source-read``
    a page whose text contains U+FFFD is decoded once more, strictly, to find the first
    byte that is not UTF-8, and the writer gets a Swedish warning naming the file and
    the line (``rapport.encoding``); the page is built with the replacement characters.
    A page larger than :data:`MAX_CHARS` gets ``rapport.file-large``: it builds, but it
    is almost certainly pasted data rather than a report, and it makes every build slow.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Any

from rapport import events
from rapport.messages import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

CODEC = "rapport-utf-8-sig"
#: the source encodings for which the tolerant codec stands in (Sphinx 9 deprecates others)
_UTF8_NAMES = {"utf-8", "utf-8-sig", "utf8", "utf_8", "utf_8_sig"}
#: a report of the seed's kind is about 10 000 characters; 100 times that is no report
MAX_CHARS = 1_000_000


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != CODEC:
        return None
    base = codecs.lookup("utf-8-sig")

    def decode(data: Any, errors: str = "strict", /) -> tuple[str, int]:
        return base.decode(data, "replace")

    class IncrementalDecoder(base.incrementaldecoder):  # type: ignore[name-defined]
        # io.TextIOWrapper (Path.read_text) asks for "strict"; we always replace
        def __init__(self, errors: str = "strict") -> None:
            super().__init__("replace")

    class StreamReader(base.streamreader):  # type: ignore[name-defined]
        def __init__(self, stream: Any, errors: str = "strict") -> None:
            super().__init__(stream, "replace")

    return codecs.CodecInfo(
        name=CODEC,
        encode=base.encode,
        decode=decode,
        incrementalencoder=base.incrementalencoder,
        incrementaldecoder=IncrementalDecoder,
        streamreader=StreamReader,
        streamwriter=base.streamwriter,
    )


_registered = False


def _register_codec() -> None:
    global _registered
    if not _registered:  # codecs.register has no unregister before 3.10; once per process
        codecs.register(_search)
        _registered = True


def _tolerant_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if str(env.settings.get("input_encoding", "utf-8-sig")).lower() in _UTF8_NAMES:
        env.settings["input_encoding"] = CODEC


def first_bad_line(data: bytes) -> int | None:
    """1-based line of the first byte sequence that is not UTF-8, or ``None``."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return None


def check_source(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if "\ufffd" in text:
        # U+FFFD may also be written on purpose; only the bytes tell a decoding error
        try:
            data = app.env.doc2path(docname).read_bytes()
        except OSError:
            data = b""
        line = first_bad_line(data)
        if line is not None:
            warn(
                "encoding",
                "Filen är inte sparad som UTF-8: tecken som inte kan läsas (till exempel å, ä, ö) "
                "visas som �, det första på den här raden. Spara filen som UTF-8 i redigeraren",
                (docname, line),
            )
    if len(text) > MAX_CHARS:
        size = f"{len(text.encode('utf-8')) / 1_000_000:.1f}".replace(".", ",")
        warn(
            "file-large",
            f"Filen är mycket stor ({size} MB); den byggs, men gör varje bygge långsamt. "
            "Kontrollera att inget inklistrat material (tabeller, loggar) kommit med av misstag",
            (docname, 1),
        )


def setup(app: Sphinx) -> None:
    _register_codec()
    app.connect("env-before-read-docs", _tolerant_reading)
    # first, so the writer sees the encoding problem before what follows from it
    app.connect("source-read", check_source, priority=events.SOURCE_ENCODING)
