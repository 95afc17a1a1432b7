"""Two Sphinx applications in one process share no state of the extension.

ARCHITECTURE.md, "State": what the modules register (stores, aggregate renderers, entry
kinds) and what they keep in memory (parsed standing snippets, internal marks, the
check's warning capture) belongs to one application (``registry.app_state``), as the
records belong to its environment. The test suite and the live preview's server run
many applications in one process; none may see another's.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from bs4 import BeautifulSoup
from docutils import nodes

from rapport import registry, sections
from rapport.entries import references
from rapport.trust import audience
from rapport.writer import checkcache


def _app(make_app, rootdir: Path, tmp_path: Path, root: str):
    src = tmp_path / root
    shutil.copytree(rootdir / f"test-{root}", src)
    return make_app("html", srcdir=src, confoverrides={"rapport_pdf_dir": str(src / "_build" / "rapportpdf")})


def test_what_one_application_registers_is_its_own(make_app, rootdir, tmp_path):
    first = _app(make_app, rootdir, tmp_path, "sections")
    second = _app(make_app, rootdir, tmp_path, "registry")
    one, other = registry.domain_class(first), registry.domain_class(second)
    assert one is not other and issubclass(one, registry.RapportDomain)
    for name in ("initial_data", "renderers", "inputs", "state"):
        assert getattr(one, name) is not getattr(other, name), name
    assert set(one.initial_data) == set(other.initial_data) >= {"reports", "decisions", "faq", "references"}
    assert references.kinds(first) is not references.kinds(second)
    assert set(references.kinds(second)) == {"beslut", "faq"}

    # a renderer replaced in the first application (as a test or another extension
    # would) is not the one the second application renders its register with
    def fake(app, docname, node):
        return [nodes.paragraph("", "FALSKT REGISTER")]

    one.renderers["beslutsregister"] = fake
    assert other.renderers["beslutsregister"] is not fake
    second.build()
    page = BeautifulSoup((Path(second.outdir) / "beslutsregister.html").read_text(encoding="utf-8"), "html.parser")
    assert "FALSKT REGISTER" not in page.get_text()
    assert page.select("table.rapport-register tbody tr"), "the second application's own register"


def test_what_one_application_keeps_in_memory_is_its_own(make_app, rootdir, tmp_path):
    first = _app(make_app, rootdir, tmp_path, "sections")
    first.build()
    second = _app(make_app, rootdir, tmp_path, "registry")
    second.build()

    # the standing snippet the first project's reports show was parsed for it alone
    snippet = str(Path(first.srcdir) / "_standard" / "talesperson.md")
    assert {path for path, _mtime, _text in sections._parsed_standing(first.env)} == {snippet}
    assert sections._parsed_standing(second.env) == {}

    # the environment reaches the same per-application state as the application
    assert registry.domain_class(first.env) is registry.domain_class(first)
    assert registry.domain_class(second.env) is registry.domain_class(second)

    # each serial HTML build noted its own pages' warnings for rapport kontroll
    captures = checkcache._capture(first), checkcache._capture(second)
    assert None not in captures and captures[0] is not captures[1]
    assert captures[0].read == set(first.env.found_docs) != captures[1].read == set(second.env.found_docs)

    # each application read and saved the internal marks of its own pages only
    page = Path(first.srcdir) / "rapporter" / "2025" / "2025-01-01.md"
    digest = hashlib.sha256(page.read_bytes()).hexdigest()
    assert digest in audience.marks_of(first).known
    assert digest not in audience.marks_of(second).known
