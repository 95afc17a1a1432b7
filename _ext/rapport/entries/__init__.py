"""Entries: records declared on pages, the pages that list them and references to them.

Decisions (:mod:`~rapport.entries.decisions`) and FAQ entries
(:mod:`~rapport.entries.faq`) share the directive machinery of
:mod:`~rapport.entries.entry` and the roles, links and backlinks of
:mod:`~rapport.entries.references`; communication actions come from the reports'
action sections (:mod:`~rapport.entries.actions`); :mod:`~rapport.entries.overviews`
puts decisions and questions on topic pages and in the reports' news box. Imports the
core and :mod:`rapport.trust` only.
"""
