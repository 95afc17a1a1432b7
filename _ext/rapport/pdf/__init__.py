"""The PDFs: the ``rapportpdf`` builder, its print translator and templates, the bundle.

:mod:`~rapport.pdf.builder` (writing phase) lays each report out with WeasyPrint
(:mod:`~rapport.pdf.layout`) from the lean templates in ``templates/``, translated by
:mod:`~rapport.pdf.translator`; :mod:`~rapport.pdf.tagging` mends the links and table
headers of each written file; :mod:`~rapport.pdf.volume` makes the bundle's cover and
contents and :mod:`~rapport.pdf.bundle` assembles it with pikepdf alone. Imports the core
and :mod:`rapport.trust` only. Other rooms import what they use from the module that has
it (:func:`rapport.pdf.records.pdf_dir`, :func:`~rapport.pdf.records.format_size`).

Nothing is imported here: the bundle is assembled in a process of its own
(``rapport.pdf.bundle.main``), which imported Sphinx, MyST and the builder through this
package for 0.37 s of every bundle before.
"""
