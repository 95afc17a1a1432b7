"""The PDFs: the ``rapportpdf`` builder, its print translator and templates, the bundle.

:mod:`~rapport.pdf.builder` (writing phase) lays each report out with WeasyPrint from
the lean templates in ``templates/``, translated by :mod:`~rapport.pdf.translator`;
:mod:`~rapport.pdf.bundle` assembles the bundle with pikepdf alone. Imports the core and
:mod:`rapport.trust` only. What other rooms use: :func:`pdf_dir` and :func:`format_size`.
"""

from __future__ import annotations

from rapport.pdf.builder import format_size, pdf_dir

__all__ = ["format_size", "pdf_dir"]
