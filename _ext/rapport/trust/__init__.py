"""Trust: what keeps broken or hostile sources out of every output.

Parsing and reading phases mostly: the audience (internal content never reaches the
public build, :mod:`~rapport.trust.audience`), raw HTML and script links
(:mod:`~rapport.trust.safety`), files outside the source folder
(:mod:`~rapport.trust.confine`), undecodable or oversized sources
(:mod:`~rapport.trust.sources`), control characters and front matter limits
(:mod:`~rapport.trust.sourceguard`), and text written by hand into outputs
(:mod:`~rapport.trust.text`). Imports the core only.
"""
