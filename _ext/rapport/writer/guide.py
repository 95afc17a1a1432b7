"""The writer's guide (Skrivguide): examples built by the same build, and the warning tables.

Parsing phase. Two directives:

* ``exempel``: its content is MyST source; the page shows the source as written next
  to what the build makes of it. The example is parsed by the real directives, so the
  guide cannot drift from the extension. While the example is parsed,
  ``env.temp_data["rapport_example"]`` is true (:func:`in_example`), and whatever the
  example registered in the domain's stores (a ``beslut`` example's decision) is
  removed again afterwards, so the register lists real decisions only; the example's
  nodes carry ``rapport_example`` so document-wide checks skip them. Ids in
  the example get a prefix, so two examples of the same section do not collide.
* ``varningstabell``: every warning of the build (:data:`rapport.messages.SUBTYPES`)
  or finding of ``rapport kontroll`` (:data:`rapport.writer.kontroll.CHECKS`), with what it
  means and how to fix it, rendered from the same dicts the code uses.

It also declares ``rapport_kontroll_tillatna``: phone numbers and e-mail addresses
that may be published (a switchboard, a shared mailbox), read by ``rapport kontroll``.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from rapport.config import settings
from rapport.messages import SUBTYPES, warn
from rapport.registry import AGGREGATE_STORE, get_domain
from rapport.writer.kontroll import CHECKS

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

EXAMPLE_FLAG = "rapport_example"


def in_example(env: BuildEnvironment) -> bool:
    """Whether the directive being run is part of a guide example (do not register)."""
    return bool(env.temp_data.get(EXAMPLE_FLAG))


def is_example_node(node: nodes.Node) -> bool:
    """Whether ``node`` sits inside a guide example (for document-wide checks)."""
    current: nodes.Node | None = node
    while current is not None:
        if isinstance(current, nodes.Element) and current.get(EXAMPLE_FLAG):
            return True
        current = current.parent
    return False


def _snapshot(env: BuildEnvironment) -> dict[str, Any]:
    """This page's records in every registry store, before an example is parsed."""
    domain = get_domain(env)
    saved: dict[str, Any] = {}
    for name in domain.initial_data:
        if name == AGGREGATE_STORE:
            continue  # an example's aggregate placeholder must still render
        store = domain.data[name]
        saved[name] = copy.copy(store[env.docname]) if env.docname in store else _MISSING
    return saved


def _restore(env: BuildEnvironment, saved: dict[str, Any]) -> None:
    """Drop what the example registered (a ``beslut`` example is not a decision)."""
    domain = get_domain(env)
    for name, value in saved.items():
        if value is _MISSING:
            domain.data[name].pop(env.docname, None)
        else:
            domain.data[name][env.docname] = value


_MISSING: Any = object()


_INTERNAL_OPEN_RE = re.compile(r"^\s{0,3}(?P<fence>:{3,}|`{3,}|~{3,})\s*\{internt\}")
#: shown in the public build's source listing where an internt block stood
INTERNAL_PLACEHOLDER = "(internt innehåll visas inte på den publika webbplatsen)"
#: examples inside examples: deeper is a warning, not docutils' "Recursion error!"
MAX_NESTING = 8


def strip_internal_blocks(source: str) -> str:
    """The listing of an example without the text of its ``internt`` blocks.

    A block ends where MyST ends it: at the first line of at least as many fence
    characters of the same kind and nothing else (colon fences do not nest by count).
    """
    out: list[str] = []
    lines = source.split("\n")
    index = 0
    while index < len(lines):
        match = _INTERNAL_OPEN_RE.match(lines[index])
        if not match:
            out.append(lines[index])
            index += 1
            continue
        fence = match.group("fence")
        out.extend([lines[index], INTERNAL_PLACEHOLDER])
        index += 1
        while index < len(lines):
            stripped = lines[index].strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                out.append(lines[index])
                index += 1
                break
            index += 1
    return "\n".join(out)


class ExampleDirective(SphinxDirective):
    """``exempel``: MyST source and its rendered result side by side."""

    has_content = True
    required_arguments = 0
    optional_arguments = 0
    option_spec: ClassVar[dict] = {"titel": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        source = "\n".join(self.content).strip("\n")
        if not source.strip():
            warn(
                "example-invalid",
                "Exemplet är tomt; skriv källtexten inuti direktivet exempel",
                (self.env.docname, self.lineno),
            )
            return []
        depth: int = self.env.temp_data.get("rapport_exempel_depth") or 0
        if depth >= MAX_NESTING:
            warn(
                "nesting-deep",
                f"Exemplet är nästlat i mer än {MAX_NESTING} nivåer och visas inte",
                (self.env.docname, self.lineno),
            )
            return []
        if settings(self.config).values.audience == "publik":
            # the listing is text: an internt block in it would be published as written
            source = strip_internal_blocks(source)
        number = self.env.new_serialno("rapport-exempel")
        before = self.env.temp_data.get(EXAMPLE_FLAG)
        self.env.temp_data["rapport_exempel_depth"] = depth + 1
        self.env.temp_data[EXAMPLE_FLAG] = True
        saved = _snapshot(self.env)
        try:
            rendered = self.parse_content_to_nodes(allow_section_headings=True)
        finally:
            self.env.temp_data[EXAMPLE_FLAG] = before
            self.env.temp_data["rapport_exempel_depth"] = depth
            _restore(self.env, saved)
        prefix = f"exempel-{number}-"
        for node in rendered:
            for element in node.findall(nodes.Element):
                element["ids"] = [prefix + i for i in element.get("ids", [])]
                if "names" in element:
                    element["names"] = []

        box = nodes.container(classes=["rapport-exempel"])
        box[EXAMPLE_FLAG] = True
        if "titel" in self.options:
            box += nodes.rubric(self.options["titel"], self.options["titel"])

        written = nodes.container(classes=["rapport-exempel-kalla"])
        written += nodes.paragraph("Så skriver du:", "Så skriver du:", classes=["rapport-exempel-etikett"])
        literal = nodes.literal_block(source, source, language="markdown")
        written += literal

        result = nodes.container(classes=["rapport-exempel-resultat"])
        result += nodes.paragraph("Så blir det:", "Så blir det:", classes=["rapport-exempel-etikett"])
        result.extend(rendered)

        box += written
        box += result
        self.set_source_info(box)
        self.set_source_info(literal)
        return [box]


class WarningTableDirective(SphinxDirective):
    """``varningstabell``: the warnings (``:kalla: bygget``) or checks (``:kalla: kontroll``)."""

    has_content = False
    option_spec: ClassVar[dict] = {"kalla": lambda value: directives.choice(value, ("bygget", "kontroll"))}

    def run(self) -> list[nodes.Node]:
        if self.options.get("kalla", "bygget") == "kontroll":
            rows = [(key, *texts) for key, texts in CHECKS.items()]
        else:
            rows = [(key, *texts) for key, texts in SUBTYPES.items()]
        table = nodes.table(classes=["rapport-varningstabell"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (20, 40, 40):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row(("Märkning", "Vad det betyder", "Så rättar du"), header=True)
        body = nodes.tbody()
        group += body
        for key, meaning, fix in rows:
            body += self._row((key, meaning, fix))
        self.set_source_info(table)
        return [table]

    @staticmethod
    def _row(cells: tuple[str, ...], header: bool = False) -> nodes.row:
        row = nodes.row()
        for index, text in enumerate(cells):
            entry = nodes.entry()
            para = nodes.paragraph()
            if index == 0 and not header:
                para += nodes.literal(text, text)
            else:
                para += nodes.Text(text)
            entry += para
            row += entry
        return row


def setup(app: Sphinx) -> None:
    app.add_directive("exempel", ExampleDirective)
    app.add_directive("varningstabell", WarningTableDirective)
