"""The e-mail edition of a report: built by Sphinx, sent by ``rapport skicka``."""
