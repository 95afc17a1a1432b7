"""Points carried over from the previous report, waiting for the writer to confirm them.

Runs at ``doctree-read``. ``rapport ny`` copies the previous report's points into the
new one, each marked with :data:`MARKER` (at the start; at the end of a
communication action, whose date must stay first). A writer confirms a point by deleting the
marker (or deletes the whole point). Every marker still there is a warning with file
and line, so ``rapport kontroll`` and the build list it and old text is not
published by mistake; the paragraph also gets a class so a preview highlights it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from rapport.messages import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx

MARKER = "[BEKRÄFTA]"


def _has_marker(paragraph: nodes.paragraph) -> bool:
    # ``rapport ny`` puts the marker first (last in an action); a mention in the middle
    # of a sentence, or in inline code, is prose about the marker
    text = "".join(t for t in paragraph.findall(nodes.Text) if not isinstance(t.parent, nodes.literal)).strip()
    return text.startswith(MARKER) or text.endswith(MARKER)


def check_markers(app: Sphinx, doctree: nodes.document) -> None:
    # imported here: the guide lists rapport kontroll's checks, whose scans use MARKER
    from rapport.writer.guide import is_example_node

    for paragraph in doctree.findall(nodes.paragraph):
        # the writer's guide shows the marker in its examples; those are not left-overs
        if not _has_marker(paragraph) or is_example_node(paragraph):
            continue
        paragraph["classes"].append("rapport-bekrafta")
        warn(
            "carryover-unconfirmed",
            f"Punkten är kopierad från förra rapporten och inte bekräftad: ta bort {MARKER} "
            "om den stämmer, annars hela punkten",
            paragraph,
        )


def setup(app: Sphinx) -> None:
    app.connect("doctree-read", check_markers)
