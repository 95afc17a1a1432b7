"""Reading a report's front matter with line numbers, for both MyST and reST sources.

Runs while a document is read (``doctree-read``) and in the ``rapport kontroll`` command.
Sphinx's ``env.metadata`` already holds the values as strings, but not where they
stand, and MyST drops a malformed block with an English message; so we look at the
source text once more to name the line a writer has to fix.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

_FIELD_RE = re.compile(r"^:([^:\s][^:]*):\s*(.*)$")


@dataclass(frozen=True)
class FrontMatter:
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based source line
    error: str | None = None  # Swedish description of a syntax error
    error_line: int = 1
    present: bool = False
    end_line: int = 0  # last line of the block (the closing ---)
    refused: bool = False  # over a limit (size, alias, depth): never loaded at all


def _yaml_value(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


#: a report's front matter is a few hundred bytes; more than this is pasted data or an attack
MAX_BLOCK_CHARS = 64 * 1024
#: nesting of lists and mappings in front matter; the project's keys need two levels
MAX_DEPTH = 10


@dataclass(frozen=True)
class Limit:
    """A front matter block refused before any YAML is built from it."""

    message: str  # Swedish
    line: int  # 1-based line in the page


def find_block(lines: list[str]) -> int | None:
    """Index of the closing line of the front matter block, as MyST finds it, or ``None``.

    Mirrors mdit_py_plugins' front matter rule: the first line starts with three or more
    dashes; the block ends at a line of at least as many dashes (indented less than a
    code block) or at ``...`` in column 0, each followed by spaces only. A block that is
    never closed is no front matter to MyST either.
    """
    if not lines or not lines[0].startswith("---"):
        return None
    count = len(lines[0]) - len(lines[0].lstrip("-"))
    for index in range(1, len(lines)):
        line = lines[index].rstrip("\r")
        if line.startswith("...") and not line[3:].strip():
            return index
        stripped = line.lstrip(" \t")
        indent = len(line) - len(stripped)
        if indent < 4 and stripped.startswith("-"):
            dashes = len(stripped) - len(stripped.lstrip("-"))
            if dashes >= count and not stripped[dashes:].strip():
                return index
    return None


#: YAML tokens that open and close a level of nesting (a mapping or a list)
_OPENS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)

#: libyaml's scanner and parser when PyYAML was built with it (about ten times faster at
#: 520 reports, where every page's block is scanned three times and loaded twice); the
#: pure-Python classes otherwise. Both give the same tokens and values; on any error we
#: run the pure-Python ones again, so messages, lines and positions are PyYAML's own.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _tokens(block: str) -> Iterator[yaml.Token]:
    """The block's YAML tokens (nothing is built); raises :class:`yaml.YAMLError` as
    PyYAML's own scanner does."""
    try:
        tokens = list(yaml.scan(block, Loader=_FAST_LOADER))
    except yaml.YAMLError:
        tokens = None
    if tokens is None:
        yield from yaml.scan(block, Loader=yaml.SafeLoader)
    else:
        yield from tokens


def _load(block: str) -> object:
    """``yaml.safe_load`` of the block, with libyaml when it succeeds."""
    try:
        return yaml.load(block, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
    except Exception:  # noqa: BLE001 - the pure-Python loader raises what callers expect
        return yaml.safe_load(block)


def check_limits(block: str, first_line: int = 2) -> Limit | None:
    """Size, anchors and aliases, nesting depth: checked on YAML tokens, nothing is built.

    ``yaml.scan`` only tokenises, so an alias bomb is never expanded and a thousand
    nested brackets cause no recursion. ``first_line`` is the page line of the block's
    first line. A syntax error is left to the reader that loads the block.
    """
    if len(block) > MAX_BLOCK_CHARS:
        return Limit(
            f"blocket är för stort ({len(block) // 1024} kB; högst {MAX_BLOCK_CHARS // 1024} kB)", first_line - 1
        )
    depth = 0
    try:
        for token in _tokens(block):
            line = first_line + token.start_mark.line
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                return Limit("YAML-ankare och -alias (& och *) är inte tillåtna i front matter", line)
            if isinstance(token, _OPENS):
                depth += 1
                if depth > MAX_DEPTH:
                    return Limit("blocket är för djupt nästlat", line)
            elif isinstance(token, _CLOSES):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def top_level_keys(block: str, first_line: int = 2) -> list[tuple[str, int]] | None:
    """Top-level keys of a block and their page lines, from tokens; ``None`` if unreadable."""
    keys: list[tuple[str, int]] = []
    depth = 0
    expect_key = False
    try:
        for token in _tokens(block):
            if isinstance(token, _OPENS):
                depth += 1
            elif isinstance(token, _CLOSES):
                depth -= 1
            elif isinstance(token, yaml.KeyToken) and depth == 1:
                expect_key = True
                keys.append(("", first_line + token.start_mark.line))
            elif expect_key and isinstance(token, yaml.ScalarToken):
                keys[-1] = (token.value, keys[-1][1])
                expect_key = False
            elif expect_key and not isinstance(token, yaml.TagToken):
                expect_key = False  # a complex key: left as "", never allowed
    except yaml.YAMLError:
        return None
    return keys


@functools.lru_cache(maxsize=2048)
def read_markdown(text: str) -> FrontMatter:
    """Front matter of a MyST page: a YAML block between ``---`` lines at the very top.

    Kept per text (the result is frozen and callers only read it): the audience rule
    reads every page at ``config-inited``, the reports store at ``doctree-read`` and the
    series at ``env-updated``, each from the same source.
    """
    # split on "\n" only, as markdown-it does: str.splitlines also splits at \v, \x1c,
    # U+2028 ..., which would put every later line number off
    lines = text.split("\n")
    if not lines or not lines[0].startswith("---"):
        return FrontMatter()
    end = find_block(lines)
    if end is None:
        return FrontMatter(error="blocket avslutas aldrig med ---", error_line=1, present=True)
    block = "\n".join(line.rstrip("\r") for line in lines[1:end])
    limit = check_limits(block)
    if limit is not None:
        return FrontMatter(error=limit.message, error_line=limit.line, present=True, end_line=end + 1, refused=True)
    try:
        data = _load(block) if block.strip() else {}
    except ValueError:
        # PyYAML builds dates itself and raises ValueError, not YAMLError, for one that
        # does not exist (2025-02-30, 2025-13-45, 08:30 with hour 99). MyST drops the
        # block for the same error, so the values are unusable either way; say so, at
        # the line of the impossible date.
        return FrontMatter(
            error="ett datum eller klockslag finns inte (kontrollera månad, dag och timme)",
            error_line=_impossible_date_line(block),
            present=True,
            end_line=end + 1,
        )
    except RecursionError:  # [[[[... a thousand levels deep; MyST drops it too
        return FrontMatter(error="blocket är för djupt nästlat", error_line=2, present=True, end_line=end + 1)
    except yaml.reader.ReaderError as exc:
        # a control character (pasted from another program) anywhere in the block; the
        # reader knows only its position in the text, not a line
        return FrontMatter(
            error="raden innehåller ett osynligt styrtecken; skriv om raden",
            error_line=block.count("\n", 0, exc.position) + 2,
            present=True,
            end_line=end + 1,
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 2
        # PyYAML's own explanation is English; the line number is what the writer needs
        return FrontMatter(
            error="raden kan inte tolkas (kontrollera kolon, citattecken och hakparenteser)",
            error_line=line,
            present=True,
            end_line=end + 1,
        )
    if not isinstance(data, dict):
        return FrontMatter(
            error="blocket ska bestå av rader på formen nyckel: värde",
            error_line=2,
            present=True,
            end_line=end + 1,
        )
    key_lines: dict[str, int] = {}
    for number, line in enumerate(lines[1:end], start=2):
        match = re.match(r"^([^\s:#][^:]*):", line)
        if match:
            key_lines.setdefault(match.group(1).strip(), number)
    values = {str(k): _yaml_value(v) for k, v in data.items() if v is not None}
    return FrontMatter(values, key_lines, present=True, end_line=end + 1)


def _impossible_date_line(block: str) -> int:
    """Source line (in the page) of the first YAML date that cannot be constructed."""
    try:
        root = yaml.compose(block, Loader=yaml.SafeLoader)  # nodes only, nothing built
    except (yaml.YAMLError, RecursionError):
        return 2
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:timestamp":
                try:
                    yaml.SafeLoader("").construct_yaml_timestamp(node)
                except ValueError:
                    return node.start_mark.line + 2  # +1 for 1-based, +1 for the opening ---
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return 2


def read_rst(text: str) -> FrontMatter:
    """Front matter of a reST page: the docinfo field list before the first heading."""
    values: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if values:
                break
            continue
        match = _FIELD_RE.match(line)
        if not match:
            break
        key = match.group(1).strip()
        values[key] = match.group(2).strip()
        key_lines[key] = number
    return FrontMatter(values, key_lines, present=bool(values), end_line=max(key_lines.values(), default=0))


def read(text: str, source_path: str) -> FrontMatter:
    # Editors on Windows save UTF-8 with a byte order mark; Sphinx (utf-8-sig) drops it,
    # so must we, or "\ufeff---" hides the whole block (and an internt: true with it)
    text = text.removeprefix("\ufeff")
    if source_path.endswith(".rst"):
        return read_rst(text)
    return read_markdown(text)


def lookup(fm: FrontMatter, *keys: str) -> tuple[str | None, int]:
    """First present key among ``keys`` (spelling variants); value and its line."""
    for key in keys:
        if key in fm.values:
            return fm.values[key], fm.lines.get(key, 1)
    return None, 1


def as_list(value: str | None) -> tuple[str, ...]:
    """A YAML list (stored as JSON) or a comma-separated string, as a tuple of strings."""
    if not value:
        return ()
    text = value.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            items = text.strip("[]").split(",")
    else:
        items = text.split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def as_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "ja", "yes", "1")
