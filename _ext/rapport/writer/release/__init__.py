"""Releasing a report: its version, sign-off, the gate, corrections and the record.

The operations a writer does to release a report (proof, approve, send, correct,
publish, history) live here once, in :mod:`rapport.writer.release.ops`; the ``rapport``
command (:mod:`rapport.writer.release.commands`) and the browser desk
(:mod:`rapport.writer.desk`) are two faces that call them and show their Swedish
messages. :mod:`~rapport.writer.release.version` also runs inside the Sphinx build
(writing phase of the ``rapportepost`` builder), where it writes the text a version
code is computed from.
"""
