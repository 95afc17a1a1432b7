"""The bundle folders Pagefind writes into, kept from one index to the next.

Runs around each Pagefind run (:mod:`rapport.site.search.indexer`): a folder is made
ready before, and what the new index no longer uses is removed after.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rapport.site.search.canonical import canonicalise_bundle, read_chunk

#: what Pagefind writes into a bundle folder (the primary's also holds the other parts)
BUNDLE_DIRS = ("fragment", "index", "filter")
#: in a bundle folder while Pagefind writes into it; found at the next build, it means
#: that run was stopped (Ctrl+C, a new save in the preview) and files may be half written
IN_PROGRESS = ".rapport-indexerar"
#: Pagefind's own interfaces, written with every index; the site uses its JS API only
UNUSED_UI = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


def bundle_folder(site: Path, name: str, primary: str) -> Path:
    """The primary part in ``pagefind/``, every other in ``pagefind/<name>/``."""
    return site / "pagefind" if name == primary else site / "pagefind" / name


def prepare_bundle(folder: Path) -> None:
    """Make ``folder`` ready for Pagefind, keeping the files of the last index.

    Pagefind names fragments and chunks by a hash of their content and does not write a
    file that exists: at 520 reports an edit re-indexed its decade in 0.6 s into the
    folder as it was, against 2 to 2.8 s into an emptied one (creating 2,300 files
    again). What the new index no longer uses is removed after the run
    (:func:`prune_bundle`). A folder that a stopped run left is emptied first: a file
    may be cut short under its full name there.
    """
    if (folder / IN_PROGRESS).exists() or not (folder / "pagefind-entry.json").is_file():
        clear_bundle(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / IN_PROGRESS).touch()


def prune_bundle(folder: Path) -> str:
    """Remove the fragments, chunks and meta files the bundle's entry no longer lists;
    ``""``, or why nothing was removed."""
    try:
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        keep: dict[str, set[str]] = {"fragment": set(), "index": set(), "filter": set()}
        metas: set[str] = set()
        for info in entry["languages"].values():
            metas.add(f"pagefind.{info['hash']}.pf_meta")
            # [version, pages [[fragment, words]], index chunks [[from, to, hash]],
            #  filters [[name, hash]], sorts, meta fields]
            meta = read_chunk(folder / f"pagefind.{info['hash']}.pf_meta")
            keep["fragment"].update(f"{page[0]}.pf_fragment" for page in meta[1])
            keep["index"].update(f"{chunk[-1]}.pf_index" for chunk in meta[2])
            keep["filter"].update(f"{item[1]}.pf_filter" for item in meta[3])
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        # an entry this code does not understand: the next build starts from an empty folder
        return str(exc) or type(exc).__name__
    for child in folder.glob("pagefind.*.pf_meta"):
        if child.name not in metas:
            child.unlink(missing_ok=True)
    for kind, names in keep.items():
        for child in (folder / kind).iterdir() if (folder / kind).is_dir() else ():
            if child.name not in names:
                child.unlink(missing_ok=True)
    (folder / IN_PROGRESS).unlink(missing_ok=True)
    return ""


def clear_bundle(folder: Path) -> None:
    """Remove a bundle's own files (Pagefind never deletes; old fragments would stay)."""
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir():
            if child.name in BUNDLE_DIRS:
                shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(("pagefind", "wasm.")):
            child.unlink(missing_ok=True)


def finish_bundle(folder: Path, primary: bool) -> list[str]:
    """After a successful run: sorted filters, no unused interfaces, no stale files; a
    merged part uses the primary's script and WebAssembly. What was left as it was."""
    notes = []
    why = canonicalise_bundle(folder)
    if why:
        notes.append(f"sökindexet lämnas som Pagefind skrev det ({why})")
    for name in UNUSED_UI:
        (folder / name).unlink(missing_ok=True)
    why = prune_bundle(folder)
    if why:
        notes.append(f"sökindexets gamla filer rensas nästa gång ({why})")
    if not primary:
        for extra in ("pagefind.js", "pagefind-worker.js"):
            (folder / extra).unlink(missing_ok=True)
        for wasm in folder.glob("wasm.*.pagefind"):
            wasm.unlink()
    return notes
