"""The writer's room: the ``rapport`` command and what the build does for the writer.

Outside Sphinx: the command (:mod:`~rapport.writer.cli`) with its subcommands
``ny`` (:mod:`~rapport.writer.newreport`), ``kontroll`` (:mod:`~rapport.writer.kontroll`),
``bygg`` (:mod:`~rapport.writer.build`) and ``publicera`` (:mod:`~rapport.writer.publish`).
Inside the build: the writer's guide (:mod:`~rapport.writer.guide`) and the check for
points carried over from the previous report (:mod:`~rapport.writer.carryover`). May
import every other room.
"""
